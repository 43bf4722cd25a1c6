// Tandem's live comparison dashboard. Reads the admin JSON API only:
//   GET /api/stream (Server-Sent Events, "stats" events), falling back to polling GET /api/stats every second;
//   PUT /api/routes/{route}/weights with the admin token to change a route's split.
// Plain browser JavaScript, no build step; Chart.js (window.Chart) comes from /assets/chart.umd.js.
'use strict';

(() => {
  const POINTS_KEPT = 600;          // per route × backend: ten minutes at one point a second
  const POLL_MS = 1000;
  const SSE_SILENCE_MS = 3000;      // no event for this long: poll until the stream speaks again
  const SSE_RETRY_MS = 10000;       // a stream the browser gave up on is reopened after this
  const STALE_MS = 5000;
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
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'colspan' || k === 'rowspan' || k === 'title') {
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
    for (const r of state.routes.values()) for (const c of r.charts) c.destroy();
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
    paintSwatches();
    refreshEditButtons();
  }

  function buildRow(r) {
    const row = el('tr', { 'data-route': r.route });
    const cells = new Map();

    const mirror = el('div', { class: 'route-mirror', hidden: true });
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
    const entry = { data: r, row, cells, bar, legend, edit, editorSlot, ratio, mirror, rpsLabel, latLabel, charts: [] };
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
    if (!m) return;
    const parts = [`mirrored to ${display(m.shadow)}`, `${grouped.format(m.mirrored ?? 0)} compared`];
    // Rounded down, so that one mismatch in ten thousand never reads as 100%.
    if (m.match_rate != null) parts.push(`${m.match_rate >= 1 ? '100' : (Math.floor(m.match_rate * 10000) / 100).toFixed(2)}% same`);
    if (m.latency_ratio_p50 != null) parts.push(`paired p50 ${m.latency_ratio_p50.toFixed(2)}×`);
    const text = parts.join(' · ');
    if (node.textContent !== text) node.textContent = text;
    node.dataset.matchRate = m.match_rate == null ? '' : String(m.match_rate);
    node.classList.toggle('mismatch', (m.mismatched ?? 0) > 0);
    node.title = `${m.mismatched ?? 0} mismatched, ${m.noise ?? 0} within the noise floor, ${m.dropped ?? 0} dropped, `
      + `${m.errors ?? 0} shadow errors; latency ratio ${display(m.shadow)} / ${display(m.primary)} on the same requests`;
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
