// Tandem's live comparison dashboard. Reads the admin JSON API only:
//   GET /api/stream (Server-Sent Events, "stats" events), falling back to polling GET /api/stats every second;
//   GET /api/mirrors every 2 s while a route's mirroring details are open, and not at all otherwise;
//   PUT /api/routes/{route}/weights with the admin token to change a route's split.
// Plain browser JavaScript, no build step; Chart.js (window.Chart) comes from /assets/chart.umd.js.
'use strict';

(() => {
  const POINTS_KEPT = 600;          // per route × backend: ten minutes at one point a second
  const POLL_MS = 1000;
  const SSE_SILENCE_MS = 3000;      // no event for this long: poll until the stream speaks again
  const SSE_RETRY_MS = 10000;       // a stream the browser gave up on is reopened after this
  const STALE_MS = 5000;
  const MIRRORS_POLL_MS = 2000;     // mirroring details: their own, slower, read while a panel is open
  const TOKEN_KEY = 'tandem.adminToken';
  const KNOWN_ORDER = ['django', 'fastapi'];
  const DISPLAY = { django: 'Django', fastapi: 'FastAPI' };
  const EXTRA_COLOURS = ['--other-1', '--other-2', '--other-3', '--other-4'];
  const METRICS = [
    { key: 'rps', label: 'req/s' },
    { key: 'error_rate', label: 'errors' },
    { key: 'p50_ms', label: 'p50 ms' },
    { key: 'p95_ms', label: 'p95 ms' },
    { key: 'p99_ms', label: 'p99 ms' },
  ];

  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'colspan' || k === 'rowspan' || k === 'title'
        || k === 'role') {
        node.setAttribute(k, v);
      } else node[k] = v;
    }
    for (const c of children) if (c != null) node.append(c);
    return node;
  };

  // ---------------------------------------------------------------- history

  /** A fixed-size ring of samples, oldest overwritten first. */
  class Ring {
    constructor(capacity) {
      this.items = new Array(capacity);
      this.start = 0;
      this.size = 0;
    }
    push(sample) {
      const cap = this.items.length;
      if (this.size < cap) {
        this.items[(this.start + this.size) % cap] = sample;
        this.size++;
      } else {
        this.items[this.start] = sample;
        this.start = (this.start + 1) % cap;
      }
    }
    last() {
      return this.size === 0 ? undefined : this.items[(this.start + this.size - 1) % this.items.length];
    }
    first() {
      return this.size === 0 ? undefined : this.items[this.start];
    }
    /** Points {x: seconds relative to now, y} for one field, oldest first. */
    points(field, now) {
      const out = new Array(this.size);
      for (let i = 0; i < this.size; i++) {
        const s = this.items[(this.start + i) % this.items.length];
        out[i] = { x: (s.t - now) / 1000, y: s[field] };
      }
      return out;
    }
  }

  const state = {
    window: '1m',
    percentile: 'p99_ms',
    signature: '',
    backends: [],          // column groups: django, fastapi, then any other backend, in that order
    routes: new Map(),     // route name -> {data, row, cells, charts}
    history: new Map(),    // "route\u0000backend" -> Ring; survives table rebuilds
    lastStats: null,
    lastAt: 0,             // Date.now() of the last stats received
    serverNow: 0,
    updates: 0,
  };

  // ---------------------------------------------------------------- formatting

  const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  function fmtRate(v) {
    if (v == null || Number.isNaN(v)) return '—';
    if (v === 0) return '0';
    if (v < 1) return v.toFixed(2);
    if (v < 100) return v.toFixed(1);
    return grouped.format(v);
  }

  function fmtMs(v) {
    if (v == null || Number.isNaN(v)) return '—';
    if (v === 0) return '0';
    if (v < 1) return v.toFixed(2);
    if (v < 100) return v.toFixed(1);
    return grouped.format(v);
  }

  function fmtPct(v) {
    if (v == null || Number.isNaN(v)) return '—';
    if (v === 0) return '0%';
    const pct = v * 100;
    if (pct < 0.01) return '<0.01%';
    if (pct < 10) return pct.toFixed(2) + '%';
    return pct.toFixed(1) + '%';
  }

  function fmtUptime(seconds) {
    if (seconds == null) return '—';
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return `${d}d ${h}h`;
    if (h > 0) return `${h}h ${m}m`;
    if (m > 0) return `${m}m ${s % 60}s`;
    return `${s}s`;
  }

  const display = (backend) => DISPLAY[backend] ?? backend;

  function backendColour(backend) {
    const css = getComputedStyle(document.documentElement);
    let name = `--${backend}`;
    if (!KNOWN_ORDER.includes(backend)) {
      const i = Math.max(0, state.backends.indexOf(backend) - KNOWN_ORDER.length);
      name = EXTRA_COLOURS[i % EXTRA_COLOURS.length];
    }
    return css.getPropertyValue(name).trim() || '#999';
  }

  // ---------------------------------------------------------------- table

  function orderBackends(names) {
    const known = KNOWN_ORDER.filter((b) => names.has(b));
    const others = [...names].filter((b) => !KNOWN_ORDER.includes(b)).sort();
    return [...known, ...others];
  }

  function rebuild(stats) {
    for (const r of state.routes.values()) {
      for (const c of r.charts) c.destroy();
      dropMirrorPanel(r);
    }
    state.routes.clear();

    const names = new Set(KNOWN_ORDER);
    for (const r of stats.routes) for (const b of Object.keys(r.backends ?? {})) names.add(b);
    for (const r of stats.routes) for (const b of Object.keys(r.weights ?? {})) names.add(b);
    state.backends = orderBackends(names);

    const head = $('routes-head');
    head.replaceChildren();
    const top = el('tr', {},
      el('th', { rowspan: 2, class: 'col-route', text: 'Route' }),
      el('th', { rowspan: 2, class: 'col-weights', text: 'Weights' }));
    const sub = el('tr');
    for (const b of state.backends) {
      top.append(el('th', { colspan: METRICS.length, class: 'group', 'data-backend': b },
        el('span', { class: 'swatch', 'data-backend-colour': b }), display(b)));
      METRICS.forEach((m, i) => sub.append(el('th', {
        class: `num${i === 0 ? ' group-start' : ''}`, 'data-backend': b, text: m.label,
      })));
    }
    top.append(
      el('th', { rowspan: 2, class: 'col-ratio', title: 'FastAPI p50 ÷ Django p50, last minute' },
        'FastAPI / Django', el('br'), el('span', { class: 'th-sub', text: 'p50 latency' })),
      el('th', { rowspan: 2, class: 'col-trend', text: 'Last minutes' }));
    head.append(top, sub);

    const body = $('routes-body');
    body.replaceChildren();
    if (stats.routes.length === 0) {
      body.append(el('tr', { class: 'empty' }, el('td', { colspan: 99, text: 'No routes are configured.' })));
    }
    for (const r of stats.routes) {
      const entry = buildRow(r);
      state.routes.set(r.route, entry);
      body.append(entry.row);
    }
    // Details that were open stay open across a rebuild (a route added, a backend joining a split).
    for (const route of [...mirrorView.open]) {
      const r = stats.routes.find((x) => x.route === route);
      if (r?.mirror) openMirror(route);
      else closeMirror(route);
    }
    paintSwatches();
    refreshEditButtons();
  }

  function buildRow(r) {
    const row = el('tr', { 'data-route': r.route });
    const cells = new Map();

    const mirrorSummary = el('span', { class: 'mirror-summary' });
    const mirrorToggle = el('button', { type: 'button', class: 'ghost mirror-toggle', text: 'details',
      'aria-expanded': 'false', 'aria-controls': `mirror-panel-${r.route}`,
      title: 'Match rate, counts, paired latency and recent mismatches of this route\'s mirroring' });
    mirrorToggle.addEventListener('click', () => toggleMirror(r.route));
    const mirror = el('div', { class: 'route-mirror', hidden: true }, mirrorSummary, ' ', mirrorToggle);
    row.append(el('td', { class: 'col-route' },
      el('div', { class: 'route-name', text: r.route }),
      el('div', { class: 'route-match', text: r.match ?? '' }),
      mirror));

    const bar = el('div', { class: 'weights-bar', 'aria-hidden': 'true' });
    const legend = el('div', { class: 'weights-legend' });
    const edit = el('button', { type: 'button', class: 'ghost edit', text: 'edit weights' });
    const editorSlot = el('div', { class: 'editor-slot' });
    edit.addEventListener('click', () => openEditor(r.route));
    row.append(el('td', { class: 'col-weights' }, bar, legend, edit, editorSlot));

    for (const b of state.backends) {
      const onRoute = r.backends && Object.prototype.hasOwnProperty.call(r.backends, b);
      if (!onRoute) {
        row.append(el('td', { colspan: METRICS.length, class: 'absent group-start', 'data-backend': b,
          text: `not on this route` }));
        continue;
      }
      METRICS.forEach((m, i) => {
        const td = el('td', { class: `num${i === 0 ? ' group-start' : ''}`, 'data-backend': b, 'data-metric': m.key });
        const main = el('span', { class: 'value', text: '—' });
        td.append(main);
        if (m.key === 'rps') {
          const n = el('span', { class: 'sub', 'data-backend': b, 'data-metric': 'requests', text: '' });
          const active = el('span', { class: 'sub', 'data-backend': b, 'data-metric': 'in_flight', text: '' });
          td.append(n, active);
          cells.set(`${b}|requests`, n);
          cells.set(`${b}|in_flight`, active);
        }
        cells.set(`${b}|${m.key}`, td);
        row.append(td);
      });
    }

    const ratio = el('td', { class: 'col-ratio', 'data-metric': 'latency_ratio_p50' },
      el('span', { class: 'value', text: '—' }), el('span', { class: 'sub verdict', text: '' }));
    row.append(ratio);

    const rpsCanvas = el('canvas');
    const latCanvas = el('canvas');
    const rpsLabel = el('span', { class: 'chart-label', text: 'req/s' });
    const latLabel = el('span', { class: 'chart-label', text: `${pctLabel()} ms` });
    const trend = el('td', { class: 'col-trend' });
    row.append(trend);
    const entry = { data: r, row, cells, bar, legend, edit, editorSlot, ratio, mirror, mirrorSummary, mirrorToggle,
      panel: null, rpsLabel, latLabel, charts: [] };
    if (typeof window.Chart === 'function') {
      trend.append(el('div', { class: 'chart' }, rpsLabel, rpsCanvas), el('div', { class: 'chart' }, latLabel, latCanvas));
      entry.charts = makeCharts(r, rpsCanvas, latCanvas);
    } else {
      trend.append(el('span', { class: 'sub', text: 'charts unavailable: /assets/chart.umd.js did not load' }));
    }
    return entry;
  }

  const pctLabel = () => state.percentile.replace('_ms', '');

  function paintSwatches() {
    for (const s of document.querySelectorAll('[data-backend-colour]')) {
      s.style.background = backendColour(s.getAttribute('data-backend-colour'));
    }
  }

  function setCell(td, text, value) {
    const v = td.querySelector('.value') ?? td;
    if (v.textContent !== text) v.textContent = text;
    td.dataset.value = value == null ? '' : String(value);
  }

  function updateRow(entry, r) {
    entry.data = r;
    const w = state.window;
    for (const b of state.backends) {
      const backend = r.backends?.[b];
      if (!backend) continue;
      const s = backend[w] ?? {};
      const requests = s.requests ?? 0;
      setCell(entry.cells.get(`${b}|rps`), fmtRate(s.rps), s.rps);
      const n = entry.cells.get(`${b}|requests`);
      n.textContent = `${grouped.format(requests)} req`;
      n.dataset.value = String(requests);
      const active = entry.cells.get(`${b}|in_flight`);
      active.textContent = backend.in_flight ? `${backend.in_flight} active` : '';
      active.dataset.value = String(backend.in_flight ?? 0);

      const errTd = entry.cells.get(`${b}|error_rate`);
      const err = requests > 0 ? s.error_rate : null;
      setCell(errTd, fmtPct(err), err);
      errTd.classList.toggle('bad', err != null && err > 0);
      errTd.classList.toggle('very-bad', err != null && err >= 0.01);

      for (const p of ['p50_ms', 'p95_ms', 'p99_ms']) setCell(entry.cells.get(`${b}|${p}`), fmtMs(s[p]), s[p]);
    }

    const ratio = r.latency_ratio_p50;
    setCell(entry.ratio, ratio == null ? '—' : `${ratio.toFixed(2)}×`, ratio);
    const verdict = entry.ratio.querySelector('.verdict');
    let word = '', cls = '';
    if (ratio != null) {
      if (ratio < 0.95) { word = 'FastAPI faster'; cls = 'faster'; }
      else if (ratio > 1.05) { word = 'FastAPI slower'; cls = 'slower'; }
      else { word = 'on par'; cls = 'par'; }
    }
    verdict.textContent = word;
    entry.ratio.dataset.verdict = cls;

    paintWeights(entry, r.weights ?? {});
    paintMirror(entry, r.mirror);
  }

  /** A mirrored route: the same requests sent to the shadow backend too, their responses and latencies compared. */
  function paintMirror(entry, m) {
    const node = entry.mirror;
    node.hidden = !m;
    if (!m) {
      if (mirrorView.open.has(entry.data.route)) closeMirror(entry.data.route);
      return;
    }
    const o = pairing(m);
    const parts = [`mirrored to ${display(m.shadow)}`, `${grouped.format(m.mirrored ?? 0)} compared`];
    if (m.match_rate != null) parts.push(`${fmtSame(m.match_rate)} same`);
    if (m.latency_ratio_p50 != null) parts.push(`paired p50 ${fmtRatio(o.invert ? 1 / m.latency_ratio_p50 : m.latency_ratio_p50)}`);
    const text = parts.join(' · ');
    if (entry.mirrorSummary.textContent !== text) entry.mirrorSummary.textContent = text;
    node.dataset.matchRate = m.match_rate == null ? '' : String(m.match_rate);
    node.classList.toggle('mismatch', (m.mismatched ?? 0) > 0);
    entry.mirrorSummary.title = `${m.mismatched ?? 0} mismatched, ${m.noise ?? 0} within the noise floor, `
      + `${m.dropped ?? 0} dropped, ${m.errors ?? 0} shadow errors; paired p50: ${display(o.num)} / ${display(o.den)} `
      + 'latency on the same requests';
  }

  // ---------------------------------------------------------------- mirroring details

  /**
   * Paired latency reads FastAPI / Django on this page whichever way a route mirrors. The gateway measures shadow /
   * primary, so a route that answers from FastAPI and mirrors to Django has its ratios inverted here. Any other
   * pairing is shown as the gateway measures it, shadow / primary.
   */
  function pairing(m) {
    const invert = m.primary === 'fastapi' && m.shadow === 'django';
    return { invert, num: invert ? m.primary : m.shadow, den: invert ? m.shadow : m.primary };
  }

  /** Rounded down, so that one mismatch in ten thousand never reads as 100%. */
  const fmtSame = (rate) => `${rate >= 1 ? '100' : (Math.floor(rate * 10000) / 100).toFixed(2)}%`;

  const fmtRatio = (v) => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);

  /** An axis tick in octaves: -2 is ×1/4, 0 is ×1, 1 is ×2. */
  const fmtOctave = (v) => (v === 0 ? '×1' : v < 0 ? `×1/${2 ** -v}` : `×${2 ** v}`);

  const fmtClock = (iso) => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? '—' : new Date(t).toLocaleTimeString([], { hour12: false });
  };

  const MIRROR_COUNTS = [
    ['matched', 'matched', 'Same status, compared headers and body, after the normalisers'],
    ['mismatched', 'mismatched', 'A difference the normalisers do not absorb: see the recent mismatches'],
    ['noise', 'noise', 'Differed only in fields that also differ between two answers of the primary: counted as same'],
    ['dropped', 'dropped', 'Not mirrored or not compared: too many mirrors in flight, or a body over max-body'],
    ['errors', 'errors', 'The shadow failed: refused, timed out, or answered something unreadable'],
  ];

  const mirrorView = {
    open: new Set(),       // routes whose details are open; survives table rebuilds
    data: new Map(),       // route -> its entry of the last GET /api/mirrors
    loaded: false,
    error: '',
    polling: false,
    generation: 0,
    timer: 0,
  };

  function toggleMirror(route) {
    if (mirrorView.open.has(route)) closeMirror(route);
    else openMirror(route);
  }

  function openMirror(route) {
    const entry = state.routes.get(route);
    if (!entry) return;
    mirrorView.open.add(route);
    if (!entry.panel) {
      entry.panel = buildMirrorPanel(route);
      entry.row.after(entry.panel.row);
      entry.row.classList.add('has-details');
    }
    entry.mirrorToggle.setAttribute('aria-expanded', 'true');
    entry.mirrorToggle.textContent = 'hide details';
    paintMirrorPanel(entry);
    startMirrorPolling();
  }

  function closeMirror(route) {
    mirrorView.open.delete(route);
    const entry = state.routes.get(route);
    if (entry) dropMirrorPanel(entry);
    if (mirrorView.open.size === 0) stopMirrorPolling();
  }

  function dropMirrorPanel(entry) {
    if (!entry.panel) return;
    entry.panel.chart?.destroy();
    entry.panel.row.remove();
    entry.panel = null;
    entry.row.classList.remove('has-details');
    entry.mirrorToggle.setAttribute('aria-expanded', 'false');
    entry.mirrorToggle.textContent = 'details';
  }

  function startMirrorPolling() {
    if (mirrorView.polling) return;
    mirrorView.polling = true;
    pollMirrors(++mirrorView.generation);
  }

  function stopMirrorPolling() {
    mirrorView.polling = false;
    mirrorView.generation++;    // a read still in flight neither paints nor reschedules
    clearTimeout(mirrorView.timer);
  }

  async function fetchMirrors() {
    const response = await fetch('/api/mirrors', { cache: 'no-store', headers: { Accept: 'application/json', ...authHeaders() } });
    if (response.status === 401) {
      throw new Error(token() ? 'GET /api/mirrors: HTTP 401, the admin token was refused'
        : 'GET /api/mirrors: HTTP 401, this admin server wants the admin token for reads: enter it above');
    }
    if (!response.ok) throw new Error(`GET /api/mirrors: HTTP ${response.status}`);
    return response.json();
  }

  async function pollMirrors(generation) {
    const current = () => mirrorView.polling && mirrorView.generation === generation;
    if (!current()) return;
    try {
      if (!document.hidden) {
        const body = await fetchMirrors();
        if (!current()) return;
        mirrorView.data = new Map((body?.routes ?? []).map((m) => [m.route, m]));
        mirrorView.loaded = true;
        mirrorView.error = '';
        paintMirrorPanels();
      }
    } catch (e) {
      if (!current()) return;
      mirrorView.error = String(e.message ?? e);
      paintMirrorPanels();
    } finally {
      if (current()) mirrorView.timer = setTimeout(() => pollMirrors(generation), MIRRORS_POLL_MS);
    }
  }

  function paintMirrorPanels() {
    for (const route of mirrorView.open) {
      const entry = state.routes.get(route);
      if (entry?.panel) paintMirrorPanel(entry);
    }
  }

  function buildMirrorPanel(route) {
    const p = { samplesSignature: null, noisySignature: null };
    p.status = el('p', { class: 'mp-status', role: 'status', text: 'loading…' });

    p.rate = el('span', { class: 'mp-rate-value', 'data-field': 'match_rate', text: '—' });
    p.rateSub = el('span', { class: 'mp-rate-sub' });
    p.pairing = el('p', { class: 'mp-pairing' });
    const counts = el('dl', { class: 'mp-counts' });
    p.counts = new Map();
    for (const [key, label, hint] of MIRROR_COUNTS) {
      const dd = el('dd', { text: '—' });
      const item = el('div', { class: `mp-count mp-count-${key}`, 'data-count': key, 'data-value': '', title: hint },
        el('dt', { text: label }), dd);
      p.counts.set(key, { item, dd });
      counts.append(item);
    }
    p.since = el('p', { class: 'mp-since' });
    const results = el('section', { class: 'mp-section mp-results' },
      el('h3', { text: 'Responses compared' }),
      el('div', { class: 'mp-rate' }, p.rate, p.rateSub), counts, p.since, p.pairing);

    p.ratioTitle = el('h3', { text: 'Paired latency' });
    p.ratioStats = el('p', { class: 'mp-ratio-stats' });
    p.canvas = el('canvas', { role: 'img', 'aria-label': 'Distribution of the paired latency ratio' });
    p.chartEmpty = el('div', { class: 'mp-chart-empty', text: 'no paired latencies yet', hidden: true });
    p.note = el('p', { class: 'mp-note' });
    const chartBox = el('div', { class: 'mp-chart' }, p.canvas, p.chartEmpty);
    const latency = el('section', { class: 'mp-section mp-latency' }, p.ratioTitle, p.ratioStats, chartBox, p.note);
    if (typeof window.Chart === 'function') p.chart = makeRatioChart(p.canvas);
    else chartBox.replaceChildren(el('span', { class: 'sub', text: 'chart unavailable: /assets/chart.umd.js did not load' }));

    p.noisy = el('div', { class: 'mp-noisy' });
    p.samplesTitle = el('h3', { text: 'Recent mismatches' });
    p.legend = el('p', { class: 'mp-legend' });
    p.samples = el('ol', { class: 'mp-samples' });
    const samples = el('section', { class: 'mp-section mp-mismatches' },
      el('h3', { text: 'Noisy fields' }), p.noisy, p.samplesTitle, p.legend, p.samples);

    p.panel = el('div', { class: 'mirror-panel', id: `mirror-panel-${route}`, role: 'region',
      'aria-label': `Mirroring of ${route}` }, p.status, results, latency, samples);
    p.row = el('tr', { class: 'mirror-row', 'data-mirror-route': route },
      el('td', { colspan: 99 }, el('div', { class: 'mirror-panel-wrap' }, p.panel)));
    return p;
  }

  function paintMirrorPanel(entry) {
    const p = entry.panel;
    const m = mirrorView.data.get(entry.data.route);
    let status = '';
    if (mirrorView.error) status = mirrorView.error;
    else if (!mirrorView.loaded) status = 'loading…';
    else if (!m) status = 'GET /api/mirrors has nothing for this route yet.';
    p.status.hidden = !status;
    p.status.classList.toggle('mp-error', !!mirrorView.error);
    if (p.status.textContent !== status) p.status.textContent = status;
    p.panel.dataset.state = mirrorView.error ? 'error' : m ? 'ready' : 'loading';
    if (!m) return;

    const o = pairing(m);
    const compared = (m.matched ?? 0) + (m.mismatched ?? 0) + (m.noise ?? 0);
    p.rate.textContent = m.match_rate == null ? '—' : fmtSame(m.match_rate);
    p.rate.dataset.value = m.match_rate == null ? '' : String(m.match_rate);
    p.rate.classList.toggle('mp-bad', (m.mismatched ?? 0) > 0);
    p.rateSub.textContent = ` same, of ${grouped.format(compared)} compared · ${grouped.format(m.mirrored ?? 0)} mirrored`;
    for (const [key] of MIRROR_COUNTS) {
      const { item, dd } = p.counts.get(key);
      const v = m[key] ?? 0;
      dd.textContent = grouped.format(v);
      item.dataset.value = String(v);
      item.classList.toggle('mp-nonzero', v > 0);
    }
    const age = (state.serverNow || Date.now()) - Date.parse(m.since);
    p.since.textContent = `since ${fmtClock(m.since)}${Number.isFinite(age) ? ` (${fmtUptime(Math.max(0, age / 1000))} ago)` : ''}`;
    p.since.title = `Counts start when this primary/shadow pairing started (${m.since}); a weight change or a reload `
      + 'that changes it starts them afresh.';
    p.pairing.textContent = `${display(m.primary)} answers the clients; ${display(m.shadow)} gets a copy of each `
      + 'mirrored request, and its answer is compared, then discarded.';

    paintRatio(p, m, o);
    paintNoisy(p, m);
    paintSamples(p, m);
  }

  /** The histogram as the page shows it: [ratio, count] ascending, FastAPI / Django. */
  function orientedHistogram(m, o) {
    const buckets = (m.latency_ratio_histogram ?? [])
      .filter(([r, c]) => r > 0 && c > 0)
      .map(([r, c]) => [o.invert ? 1 / r : r, c]);
    return buckets.sort((a, b) => a[0] - b[0]);
  }

  /** The ratio at a quantile of the buckets, by the gateway's own rule (the first bucket reaching the rank). */
  function histogramQuantile(buckets, q) {
    const total = buckets.reduce((sum, [, c]) => sum + c, 0);
    if (total === 0) return null;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (const [r, c] of buckets) {
      seen += c;
      if (seen >= rank) return r;
    }
    return buckets[buckets.length - 1][0];
  }

  function paintRatio(p, m, o) {
    const name = `${display(o.num)} / ${display(o.den)}`;
    p.ratioTitle.textContent = `Paired latency · ${name}`;
    const buckets = orientedHistogram(m, o);
    const pairs = buckets.reduce((sum, [, c]) => sum + c, 0);
    // Quantiles of the inverted distribution are not the inverses of the gateway's: take them from the buckets.
    const p50 = o.invert ? histogramQuantile(buckets, 0.5) : m.latency_ratio_p50;
    const p90 = o.invert ? histogramQuantile(buckets, 0.9) : m.latency_ratio_p90;
    p.ratioStats.replaceChildren(
      el('span', { class: 'mp-stat', 'data-field': 'ratio_p50', 'data-value': p50 ?? '' }, 'p50 ', el('b', { text: fmtRatio(p50) })),
      ' · ',
      el('span', { class: 'mp-stat', 'data-field': 'ratio_p90', 'data-value': p90 ?? '' }, 'p90 ', el('b', { text: fmtRatio(p90) })),
      ' · ',
      el('span', { class: 'mp-stat', 'data-field': 'pairs', 'data-value': pairs }, `${grouped.format(pairs)} pairs`));
    let note = `Each bar counts requests by ${name} latency, both measured on the same request; left of ×1 `
      + `${display(o.num)} was faster.`;
    if (o.invert) {
      note += ` The gateway measures ${display(m.shadow)} / ${display(m.primary)} (shadow over primary) on this route: `
        + 'inverted here, so the page always reads FastAPI / Django.';
    }
    p.note.textContent = note;
    p.panel.dataset.inverted = String(o.invert);
    p.chartEmpty.hidden = pairs > 0;
    if (!p.chart) return;

    // Buckets are quarter octaves: place them by log2 so the axis is logarithmic, from ×1/4 to ×4 at least.
    const counts = new Map();
    for (const [r, c] of buckets) {
      const x = Math.round(Math.log2(r) * 4) / 4;
      counts.set(x, (counts.get(x) ?? 0) + c);
    }
    const xs = [...counts.keys()];
    const lo = Math.min(-2, ...xs), hi = Math.max(2, ...xs);
    const css = getComputedStyle(document.documentElement);
    const faster = backendColour(o.num), slower = css.getPropertyValue('--warn').trim(), same = css.getPropertyValue('--muted').trim();
    const data = [], colours = [];
    for (let x = lo; x <= hi + 1e-9; x += 0.25) {
      data.push({ x, y: counts.get(x) ?? 0 });
      colours.push(x < 0 ? faster : x > 0 ? slower : same);
    }
    const dataset = p.chart.data.datasets[0];
    dataset.label = name;
    dataset.data = data;
    dataset.backgroundColor = colours;
    p.chart.options.scales.x.min = lo - 0.125;
    p.chart.options.scales.x.max = hi + 0.125;
    p.chart.update('none');
  }

  function makeRatioChart(canvas) {
    const css = getComputedStyle(document.documentElement);
    const grid = css.getPropertyValue('--grid').trim();
    const tick = css.getPropertyValue('--muted').trim();
    const text = css.getPropertyValue('--text').trim();
    // The marker at ×1: the two backends equally fast on a request.
    const sameSpeed = {
      id: 'tandemSameSpeed',
      afterDatasetsDraw(chart) {
        const { ctx, chartArea, scales } = chart;
        const x = scales.x.getPixelForValue(0);
        ctx.save();
        ctx.strokeStyle = text;
        ctx.globalAlpha = 0.75;
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = text;
        ctx.font = '10px system-ui, sans-serif';
        ctx.textBaseline = 'bottom';
        ctx.fillText('1× same speed', x + 4, chartArea.top - 1);
        ctx.restore();
      },
    };
    return new window.Chart(canvas, {
      type: 'bar',
      data: { datasets: [{ label: '', data: [], backgroundColor: [], borderWidth: 0, barPercentage: 0.85, categoryPercentage: 1 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { top: 12 } },   // room for the marker's label above the bars
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? `${items[0].dataset.label} ${fmtRatio(2 ** items[0].parsed.x)}` : ''),
              label: (item) => `${grouped.format(item.parsed.y)} requests`,
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            offset: false,
            min: -2.125,
            max: 2.125,
            grid: { color: grid, offset: false },
            border: { display: false },
            // One tick an octave: ×1/4, ×1/2, ×1, ×2, ×4.
            afterBuildTicks: (axis) => {
              const ticks = [];
              for (let v = Math.ceil(axis.min); v <= Math.floor(axis.max); v++) ticks.push({ value: v });
              axis.ticks = ticks;
            },
            ticks: { color: tick, font: { size: 10 }, autoSkip: false, maxRotation: 0, callback: (v) => fmtOctave(v) },
          },
          y: {
            beginAtZero: true,
            grid: { color: grid },
            border: { display: false },
            ticks: { color: tick, font: { size: 9 }, maxTicksLimit: 3, precision: 0 },
          },
        },
      },
      plugins: [sameSpeed],
    });
  }

  function paintNoisy(p, m) {
    const fields = m.noisy_fields ?? [];
    const signature = JSON.stringify(fields);
    if (p.noisySignature === signature) return;
    p.noisySignature = signature;
    if (fields.length === 0) {
      p.noisy.replaceChildren(el('span', { class: 'mp-none', text: 'none found' }),
        el('span', { class: 'mp-hint', text: `· compare.noise-sample-percent sends some requests to ${display(m.primary)} `
          + 'twice to find the fields that differ between two of its own answers' }));
      return;
    }
    p.noisy.replaceChildren(...fields.map((f) => el('code', { class: 'mp-field', text: f })));
  }

  function paintSamples(p, m) {
    const samples = m.mismatch_samples ?? [];
    p.samplesTitle.textContent = samples.length ? `Recent mismatches · last ${samples.length}, newest first` : 'Recent mismatches';
    const signature = JSON.stringify([m.primary, m.shadow, samples]);
    if (p.samplesSignature === signature) return;
    p.samplesSignature = signature;

    const primary = el('span', { class: 'mp-val', text: `${display(m.primary)}'s answer` });
    const shadow = el('span', { class: 'mp-val', text: `${display(m.shadow)}'s answer` });
    primary.style.color = backendColour(m.primary);
    shadow.style.color = backendColour(m.shadow);
    p.legend.replaceChildren('each line: ', el('span', { class: 'mp-path', text: 'where' }), ': ', primary,
      el('span', { class: 'mp-neq', text: ' ≠ ' }), shadow);
    p.legend.hidden = samples.length === 0;

    if (samples.length === 0) {
      p.samples.replaceChildren(el('li', { class: 'mp-none', text: (m.mismatched ?? 0) > 0
        ? 'none kept' : 'none: every compared answer matched' }));
      return;
    }
    const primaryColour = backendColour(m.primary), shadowColour = backendColour(m.shadow);
    p.samples.replaceChildren(...samples.map((sample) => {
      const lines = el('ul', { class: 'mp-diff' });
      const parts = Array.isArray(sample.diff) && sample.diff.length ? sample.diff : null;
      (sample.differences ?? []).forEach((text, i) => {
        const line = el('li', { class: 'mp-diff-line', 'data-difference': text });
        const d = parts?.[i];
        if (d) {
          const a = el('span', { class: 'mp-val', text: d.primary });
          const b = el('span', { class: 'mp-val', text: d.shadow });
          a.style.color = primaryColour;
          b.style.color = shadowColour;
          line.append(el('span', { class: 'mp-path', text: d.path }), ': ', a, el('span', { class: 'mp-neq', text: ' ≠ ' }), b);
        } else {
          line.textContent = text;
        }
        lines.append(line);
      });
      return el('li', { class: 'mp-sample', 'data-request': sample.request ?? '' },
        el('div', { class: 'mp-request' },
          el('time', { class: 'mp-time', dateTime: sample.time ?? '', text: fmtClock(sample.time), title: sample.time ?? '' }),
          el('code', { class: 'mp-request-line', text: sample.request ?? '' })),
        lines);
    }));
  }

  function paintWeights(entry, weights) {
    const names = orderBackends(new Set(Object.keys(weights)));
    const total = names.reduce((sum, b) => sum + Math.max(0, Number(weights[b]) || 0), 0);
    const signature = names.map((b) => `${b}=${weights[b]}`).join(',');
    if (entry.weightsSignature === signature) return;
    entry.weightsSignature = signature;
    entry.row.dataset.weights = signature;

    entry.bar.replaceChildren();
    entry.legend.replaceChildren();
    for (const b of names) {
      const w = Math.max(0, Number(weights[b]) || 0);
      const pct = total > 0 ? (100 * w) / total : 0;
      if (pct > 0) {
        const seg = el('span', { class: 'seg', title: `${display(b)} ${pct.toFixed(1)}%` });
        seg.style.width = `${pct}%`;
        seg.style.background = backendColour(b);
        entry.bar.append(seg);
      }
      entry.legend.append(el('span', { class: `w${pct === 0 ? ' zero' : ''}`, 'data-backend': b, 'data-weight': w },
        el('span', { class: 'swatch' }), `${display(b)} ${fmtWeightPct(pct)}`));
    }
    for (const s of entry.legend.querySelectorAll('[data-backend] .swatch')) {
      s.style.background = backendColour(s.parentElement.dataset.backend);
    }
  }

  const fmtWeightPct = (pct) => (Number.isInteger(pct) ? `${pct}%` : `${pct.toFixed(1)}%`);

  // ---------------------------------------------------------------- charts

  function makeCharts(r, rpsCanvas, latCanvas) {
    if (typeof window.Chart !== 'function') return [];
    const css = getComputedStyle(document.documentElement);
    const grid = css.getPropertyValue('--grid').trim();
    const tick = css.getPropertyValue('--muted').trim();
    const backends = state.backends.filter((b) => r.backends && b in r.backends);
    const datasets = () => backends.map((b) => ({
      label: display(b),
      data: [],
      borderColor: backendColour(b),
      backgroundColor: backendColour(b),
      borderWidth: 1.5,
      borderDash: b === 'fastapi' ? [4, 2] : [],   // not only colour tells the two apart
      pointRadius: 0,
      tension: 0.2,
      spanGaps: false,
    }));
    const options = (yFormat) => ({
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? `${Math.round(-items[0].parsed.x)} s ago` : ''),
            label: (item) => `${item.dataset.label}: ${yFormat(item.parsed.y)}`,
          },
        },
      },
      scales: {
        x: { type: 'linear', min: -60, max: 0, display: false },
        y: {
          beginAtZero: true,
          grid: { color: grid },
          border: { display: false },
          ticks: { color: tick, font: { size: 9 }, maxTicksLimit: 3, callback: (v) => yFormat(v) },
        },
      },
    });
    const rps = new window.Chart(rpsCanvas, { type: 'line', data: { datasets: datasets() }, options: options(fmtRate) });
    const lat = new window.Chart(latCanvas, { type: 'line', data: { datasets: datasets() }, options: options(fmtMs) });
    rps.$tandem = { backends, field: () => 'rps' };
    lat.$tandem = { backends, field: () => state.percentile };
    return [rps, lat];
  }

  function updateCharts(entry) {
    if (document.hidden) return;
    const route = entry.data.route;
    let oldest = state.serverNow;
    for (const chart of entry.charts) {
      const { backends, field } = chart.$tandem;
      backends.forEach((b, i) => {
        const ring = state.history.get(`${route}\u0000${b}`);
        if (!ring) return;
        chart.data.datasets[i].data = ring.points(field(), state.serverNow);
        const first = ring.first();
        if (first && first.t < oldest) oldest = first.t;
      });
    }
    // The x axis spans the history kept, from a few seconds after the page opened up to ten minutes.
    const span = Math.min(POINTS_KEPT, Math.max(10, Math.round((state.serverNow - oldest) / 1000)));
    for (const chart of entry.charts) {
      chart.options.scales.x.min = -span;
      chart.update('none');
    }
    const last = span < 90 ? `${span} s` : `${Math.round(span / 60)} min`;
    entry.rpsLabel.textContent = `req/s · last ${last}`;
    entry.latLabel.textContent = `${pctLabel()} ms · last ${last}`;
  }

  // ---------------------------------------------------------------- ingest

  function ingest(stats) {
    if (!stats || !Array.isArray(stats.routes)) return;
    const t = Date.parse(stats.time) || Date.now();
    state.lastAt = Date.now();
    state.lastStats = stats;
    state.serverNow = t;

    for (const r of stats.routes) {
      for (const [b, backend] of Object.entries(r.backends ?? {})) {
        const key = `${r.route}\u0000${b}`;
        let ring = state.history.get(key);
        if (!ring) state.history.set(key, (ring = new Ring(POINTS_KEPT)));
        const last = ring.last();
        if (last && last.t >= t) continue;     // the same snapshot twice (poll and stream overlapping)
        const s = backend['1m'] ?? {};
        ring.push({
          t,
          rps: s.rps ?? 0,
          error_rate: s.requests > 0 ? s.error_rate : null,
          p50_ms: s.p50_ms ?? null,
          p95_ms: s.p95_ms ?? null,
          p99_ms: s.p99_ms ?? null,
        });
      }
    }
    render();
  }

  function render() {
    const stats = state.lastStats;
    if (!stats) return;
    const signature = JSON.stringify(stats.routes.map((r) => [r.route, r.match,
      Object.keys(r.backends ?? {}).sort(), Object.keys(r.weights ?? {}).sort()]));
    if (signature !== state.signature) {
      state.signature = signature;
      rebuild(stats);
    }
    for (const r of stats.routes) {
      const entry = state.routes.get(r.route);
      if (!entry) continue;
      updateRow(entry, r);
      updateCharts(entry);
    }
    const updated = $('updated');
    updated.dateTime = stats.time ?? '';
    updated.textContent = new Date(state.serverNow).toLocaleTimeString([], { hour12: false });
    $('uptime').textContent = fmtUptime(stats.uptime_seconds);
    document.body.dataset.routes = String(stats.routes.length);
    document.body.dataset.updates = String(++state.updates);   // lets tests wait for fresh snapshots
    updateBanner();
  }

  // ---------------------------------------------------------------- connection

  const conn = { source: null, sseAt: 0, polling: false, pollGeneration: 0, pollTimer: 0, retryTimer: 0, lastError: '' };

  function setPill(state, text) {
    const pill = $('conn');
    if (pill.dataset.state === state && pill.textContent === text) return;
    pill.dataset.state = state;
    pill.className = `pill pill-${state}`;
    pill.textContent = text;
  }

  /** One banner: a connection problem first, else metrics being off, else nothing. */
  function updateBanner() {
    let text = '';
    if (conn.lastError) {
      text = conn.lastError.includes('401')
        ? `${conn.lastError}.`
        : `The admin server does not answer (${conn.lastError}); retrying every second.`;
    } else if (state.lastStats?.metrics_enabled === false) {
      text = 'Metrics are off on this gateway (tandem.metrics.enabled = false): the numbers stay at zero.';
    }
    const banner = $('banner');
    banner.hidden = !text;
    if (banner.textContent !== text) banner.textContent = text;
  }

  function openStream() {
    clearTimeout(conn.retryTimer);
    if (typeof window.EventSource !== 'function') return;
    const source = new EventSource('/api/stream');
    conn.source = source;
    conn.sseAt = Date.now();   // the stream gets SSE_SILENCE_MS to speak before polling takes over
    source.addEventListener('stats', (event) => {
      if (conn.source !== source) return;
      let stats;
      try { stats = JSON.parse(event.data); } catch { return; }
      conn.sseAt = Date.now();
      conn.lastError = '';
      stopPolling();
      ingest(stats);
      setPill('live', 'live');
    });
    source.addEventListener('error', () => {
      if (conn.source !== source) return;
      // The browser retries a dropped stream by itself; one it gave up on (an error status, a wrong content
      // type) is closed for good, so reopen it later and poll meanwhile.
      startPolling();
      if (source.readyState === EventSource.CLOSED) {
        conn.source = null;
        conn.retryTimer = setTimeout(openStream, SSE_RETRY_MS);
      }
    });
  }

  function startPolling() {
    if (conn.polling) return;
    conn.polling = true;
    poll(++conn.pollGeneration);
  }

  function stopPolling() {
    conn.polling = false;
    conn.pollGeneration++;      // a poll still in flight neither renders nor reschedules
    clearTimeout(conn.pollTimer);
  }

  /**
   * The token goes with reads too: an admin listener bound off loopback asks for it on every request. An
   * EventSource cannot send it, so there the stream fails and the page polls with the header instead.
   */
  function authHeaders() {
    const t = token();
    return t ? { Authorization: `Bearer ${t}` } : {};
  }

  async function fetchStats() {
    const response = await fetch('/api/stats', { cache: 'no-store', headers: { Accept: 'application/json', ...authHeaders() } });
    if (response.status === 401) {
      throw new Error(token() ? 'GET /api/stats: HTTP 401, the admin token was refused'
        : 'GET /api/stats: HTTP 401, this admin server wants the admin token for reads: enter it above');
    }
    if (!response.ok) throw new Error(`GET /api/stats: HTTP ${response.status}`);
    return response.json();
  }

  async function poll(generation) {
    const current = () => conn.polling && conn.pollGeneration === generation;
    if (!current()) return;
    try {
      const stats = await fetchStats();
      if (!current()) return;
      conn.lastError = '';
      ingest(stats);
      setPill('polling', 'polling');
    } catch (e) {
      if (!current()) return;
      conn.lastError = String(e.message ?? e);
      setPill('offline', 'offline');
      updateBanner();
    } finally {
      if (current()) conn.pollTimer = setTimeout(() => poll(generation), POLL_MS);
    }
  }

  function watchdog() {
    const now = Date.now();
    if (!conn.polling && now - conn.sseAt > SSE_SILENCE_MS) startPolling();
    if (state.lastAt > 0 && now - state.lastAt > STALE_MS && !conn.lastError) {
      setPill('stale', `stale ${Math.round((now - state.lastAt) / 1000)}s`);
    }
  }

  // ---------------------------------------------------------------- weights

  function token() {
    return (sessionStorage.getItem(TOKEN_KEY) ?? '').trim();
  }

  function refreshEditButtons() {
    const has = token() !== '';
    for (const entry of state.routes.values()) {
      entry.edit.disabled = !has;
      entry.edit.title = has ? 'Change how this route is split between backends' : 'Enter the admin token first';
    }
  }

  function openEditor(route) {
    const entry = state.routes.get(route);
    if (!entry || entry.editorSlot.firstChild) return;
    const form = $('weights-editor').content.firstElementChild.cloneNode(true);
    const inputs = form.querySelector('.weights-inputs');
    const weights = entry.data.weights ?? {};
    // The route's backends, and Django and FastAPI even when the route has only one of them yet: moving a route
    // from one to the other starts here. A backend left at 0 that the route did not have is not sent.
    for (const b of orderBackends(new Set([...Object.keys(weights), ...KNOWN_ORDER]))) {
      const input = el('input', { type: 'number', min: 0, max: 100, step: 1, value: String(weights[b] ?? 0), name: b, required: true });
      input.setAttribute('data-backend', b);
      input.dataset.onRoute = String(b in weights);
      inputs.append(el('label', { class: 'weight-input' }, el('span', { class: 'swatch' }), display(b), input));
      inputs.lastChild.querySelector('.swatch').style.background = backendColour(b);
    }
    const error = form.querySelector('.weights-error');
    form.querySelector('.cancel').addEventListener('click', () => closeEditor(entry));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const next = {};
      for (const input of inputs.querySelectorAll('input')) {
        const value = Number(input.value);
        if (input.dataset.onRoute === 'true' || value !== 0) next[input.name] = value;
      }
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      error.hidden = true;
      try {
        const body = await putWeights(route, next);
        const applied = body?.weights ?? body?.route?.weights ?? (await fetchRouteWeights(route)) ?? next;
        entry.data = { ...entry.data, weights: applied };
        paintWeights(entry, applied);
        closeEditor(entry);
      } catch (e) {
        error.textContent = String(e.message ?? e);
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    entry.editorSlot.append(form);
    entry.edit.hidden = true;
    inputs.querySelector('input')?.focus();
  }

  function closeEditor(entry) {
    entry.editorSlot.replaceChildren();
    entry.edit.hidden = false;
  }

  async function putWeights(route, weights) {
    const response = await fetch(`/api/routes/${encodeURIComponent(route)}/weights`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ weights }),
    });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = null; }
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${errorMessage(body, text, response)}`);
    return body;
  }

  function errorMessage(body, text, response) {
    if (body && typeof body === 'object') {
      if (typeof body.message === 'string') return body.message;
      if (body.error && typeof body.error.message === 'string') return body.error.message;
      if (typeof body.error === 'string') return body.error;
      if (Array.isArray(body.errors)) return body.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ');
    }
    const trimmed = (text ?? '').trim();
    if (trimmed) return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
    return response.statusText || 'no message';
  }

  async function fetchRouteWeights(route) {
    try {
      const response = await fetch('/api/routes', { cache: 'no-store', headers: authHeaders() });
      if (!response.ok) return null;
      const body = await response.json();
      return body.routes?.find((r) => r.route === route)?.weights ?? null;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- start

  function start() {
    const tokenInput = $('token');
    tokenInput.value = token();
    tokenInput.addEventListener('input', () => {
      const value = tokenInput.value.trim();
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
      refreshEditButtons();
    });
    $('token-form').addEventListener('submit', (e) => e.preventDefault());
    $('token-clear').addEventListener('click', () => {
      tokenInput.value = '';
      sessionStorage.removeItem(TOKEN_KEY);
      refreshEditButtons();
    });
    $('window').addEventListener('change', (e) => { state.window = e.target.value; render(); });
    $('percentile').addEventListener('change', (e) => {
      state.percentile = e.target.value;
      render();
    });
    document.addEventListener('visibilitychange', () => { if (!document.hidden) render(); });
    paintSwatches();

    fetchStats().then(ingest).catch(() => {});   // first paint without waiting for the stream
    openStream();
    if (!conn.source) startPolling();
    setInterval(watchdog, 1000);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
