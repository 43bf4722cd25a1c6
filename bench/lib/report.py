#!/usr/bin/env python3
"""Parses wrk output into samples and renders bench/results/RESULTS.md.

  report.py sample --raw FILE --workload W --round R --target T [counters...]   prints one TSV line
  report.py render --work DIR --out FILE [--notes FILE]                       writes the markdown

render works from bench/.work/run or from a committed bench/results/raw/ (same files), so the analysis in
bench/results/notes-full.md can be re-rendered into RESULTS.md without re-running.

A sample is one wrk run against one target. Counters come from /proc, read by bench/run right before and
right after the wrk run: the proxy's CPU ticks (utime+stime of all its processes), its peak RSS (VmHWM,
reset before the run), the upstream's CPU ticks, and the busy ticks of the proxy core and of the load core.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from pathlib import Path

FIELDS = [
    "workload", "round", "target", "rps", "p50_us", "p75_us", "p90_us", "p99_us", "max_us", "requests",
    "seconds", "socket_errors", "non_2xx", "proxy_ticks", "proxy_hwm_kb", "upstream_ticks", "proxy_core_busy",
    "proxy_core_softirq", "load_core_busy", "raw",
]

UNITS_US = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0, "m": 60_000_000.0, "h": 3_600_000_000.0}


def to_us(text: str) -> float:
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS_US[m.group(2)]


def parse_wrk(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    m = re.search(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m)", text, re.M)
    if not m:
        raise ValueError("no 'N requests in T' line: wrk failed")
    out["requests"] = int(m.group(1))
    out["seconds"] = to_us(m.group(2) + m.group(3)) / 1e6
    m = re.search(r"^Requests/sec:\s*([0-9.]+)", text, re.M)
    out["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s*{pct}(?:\.000)?%\s+([0-9.]+(?:us|ms|s|m))", text, re.M)
        out[f"p{pct}_us"] = to_us(m.group(1)) if m else float("nan")
    m = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([0-9.]+(?:us|ms|s|m))", text, re.M)
    out["max_us"] = to_us(m.group(1)) if m else float("nan")
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(g) for g in m.groups()) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    return out


def cmd_sample(a: argparse.Namespace) -> int:
    raw = Path(a.raw).read_text(errors="replace")
    try:
        s = parse_wrk(raw)
    except ValueError as e:
        print(f"report.py: {a.raw}: {e}", file=sys.stderr)
        s = {"requests": 0, "seconds": 0, "rps": 0.0, "p50_us": float("nan"), "p75_us": float("nan"),
             "p90_us": float("nan"), "p99_us": float("nan"), "max_us": float("nan"), "socket_errors": -1,
             "non_2xx": 0}
    s.update(workload=a.workload, round=a.round, target=a.target, proxy_ticks=a.proxy_ticks,
             proxy_hwm_kb=a.proxy_hwm_kb, upstream_ticks=a.upstream_ticks, proxy_core_busy=a.proxy_core_busy,
             proxy_core_softirq=a.proxy_core_softirq, load_core_busy=a.load_core_busy, raw=os.path.basename(a.raw))
    print("\t".join(str(s[f]) for f in FIELDS))
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def load_samples(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        row = dict(zip(FIELDS, parts))
        for f in FIELDS:
            if f in ("workload", "target", "raw"):
                continue
            row[f] = float(row[f])
        rows.append(row)
    return rows


def load_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                env[k] = v
    return env


def median(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def fmt_us(us: float) -> str:
    if us != us:
        return "n/a"
    if us >= 1_000_000:
        return f"{us / 1e6:.2f} s"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.0f} µs"


def fmt_ratio(x: float) -> str:
    return "n/a" if x != x else f"{x:.2f}"


def summarise(rows: list[dict], clk_tck: float) -> dict:
    """Per-target medians over rounds, for one workload."""
    by_target: dict[str, list[dict]] = {}
    for r in rows:
        by_target.setdefault(r["target"], []).append(r)
    out = {}
    for target, rs in by_target.items():
        cpu = [r["proxy_ticks"] / clk_tck / r["requests"] * 1e6 for r in rs if r["requests"] > 0]
        up_cpu = [r["upstream_ticks"] / clk_tck / r["requests"] * 1e6 for r in rs if r["requests"] > 0]
        # The proxy's stime already holds the softirq work done in its context, so everything else that kept
        # the proxy core busy belongs to other processes (or to softirq work done outside the proxy).
        foreign = [max(0.0, r["proxy_core_busy"] - r["proxy_ticks"]) / clk_tck / r["seconds"] * 100
                   for r in rs if r["seconds"] > 0]
        proxy_busy = [r["proxy_ticks"] / clk_tck / r["seconds"] * 100 for r in rs if r["seconds"] > 0]
        softirq = [r["proxy_core_softirq"] / clk_tck / r["seconds"] * 100 for r in rs if r["seconds"] > 0]
        load_busy = [r["load_core_busy"] / clk_tck / r["seconds"] * 100 for r in rs if r["seconds"] > 0]
        out[target] = {
            "rounds": len(rs),
            "rps": median([r["rps"] for r in rs]),
            "rps_min": min(r["rps"] for r in rs),
            "rps_max": max(r["rps"] for r in rs),
            "p50": median([r["p50_us"] for r in rs]),
            "p99": median([r["p99_us"] for r in rs]),
            "max_lat": max((r["max_us"] for r in rs if r["max_us"] == r["max_us"]), default=float("nan")),
            "hwm_mib": max(r["proxy_hwm_kb"] for r in rs) / 1024,
            "cpu_us": median(cpu),
            "up_cpu_us": median(up_cpu),
            "foreign_pct": median(foreign),
            "softirq_pct": median(softirq),
            "proxy_busy_pct": median(proxy_busy),
            "load_busy_pct": median(load_busy),
            "errors": sum(r["socket_errors"] for r in rs),
            "non_2xx": sum(r["non_2xx"] for r in rs),
        }
    return out


def headline(summaries: dict, work: Path) -> list[str]:
    """Tandem against the PRODUCT.md targets, from json-64 (the condition the targets are stated for)."""
    summ = summaries.get("json-64")
    if not summ or "nginx" not in summ or "tandem" not in summ:
        return []
    ng, td = summ["nginx"], summ["tandem"]
    L = ["## Tandem against the PRODUCT.md targets (json-64, 64 keep-alive connections)", ""]
    L.append("| target | Tandem | nginx | Tandem ÷ nginx | PRODUCT.md | met |")
    L.append("|---|---|---|---|---|---|")

    def row(name: str, tv: str, nv: str, ratio: float, goal: str, ok: bool | None) -> None:
        mark = "n/a" if ok is None else ("yes" if ok else "**no**")
        L.append(f"| {name} | {tv} | {nv} | {fmt_ratio(ratio)} | {goal} | {mark} |")

    r = td["rps"] / ng["rps"]
    row("throughput, median req/s", f"{td['rps']:,.0f}", f"{ng['rps']:,.0f}", r, "≥ 1.0× nginx", r >= 1.0)
    r = td["rps_max"] / ng["rps_max"]
    row("throughput, fastest round", f"{td['rps_max']:,.0f}", f"{ng['rps_max']:,.0f}", r, "≥ 1.0× nginx", r >= 1.0)
    r = td["p99"] / ng["p99"]
    row("p99 latency", fmt_us(td["p99"]), fmt_us(ng["p99"]), r, "≤ 1.2× nginx", r <= 1.2)
    r = td["cpu_us"] / ng["cpu_us"]
    row("CPU per request", f"{td['cpu_us']:.1f} µs", f"{ng['cpu_us']:.1f} µs", r, "≤ 1.0× nginx", r <= 1.0)
    idle = work / "idle.json"
    if idle.exists():
        rows = json.loads(idle.read_text())
        worst = max((x for x in rows if x["target"] == "tandem"), key=lambda x: x["rss_after_kb"], default=None)
        ngx = next((x for x in rows if x["target"] == "nginx"), None)
        if worst:
            mib = worst["rss_after_kb"] / 1024
            row(f"RSS, 1,000 open connections ({worst['state'].split(',')[0]})", f"{mib:.0f} MiB",
                f"{ngx['rss_after_kb'] / 1024:.0f} MiB" if ngx else "—", float("nan"), "< 256 MiB", mib < 256)
    startup = work / "startup.json"
    if startup.exists():
        st = json.loads(startup.read_text())
        ms = statistics.median(st["accept_ms"])
        row("start-up to accepting, median", f"{ms:.0f} ms", "—", float("nan"), "< 1 s", ms < 1000)
    L.append("")
    return L


WORKLOAD_TITLES = {
    "json-64": "Small JSON GET, 64 keep-alive connections",
    "json-256": "Small JSON GET, 256 keep-alive connections",
    "resp-64k": "64 KiB response, 64 keep-alive connections",
    "upload-1m": "1 MiB upload (POST), 16 keep-alive connections",
    "conn-close": "Small JSON GET, new connection per request (Connection: close), 64 connections",
}


def render(work: Path, out: Path, notes: Path | None) -> None:
    env = load_env(work / "meta.env")
    clk_tck = float(env.get("CLK_TCK", "100"))
    rows = load_samples(work / "samples.tsv")
    workloads: list[str] = []
    targets: list[str] = []
    for r in rows:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
        if r["target"] not in targets:
            targets.append(r["target"])
    order = [t for t in ("direct", "nginx", "haproxy", "tandem") if t in targets]
    order += [t for t in targets if t not in order]

    L: list[str] = []
    L.append("# Tandem benchmark results")
    L.append("")
    L.append(f"- **Date:** {env.get('DATE', '?')}")
    L.append(f"- **Command:** `{env.get('COMMAND', '?')}` ({env.get('MODE', '?')} mode: "
             f"{env.get('DURATION', '?')} s per target per round, {env.get('ROUNDS', '?')} round(s), "
             f"targets alternated and their order rotated every round)")
    L.append(f"- **Machine:** {env.get('NPROC', '?')} CPUs, {env.get('CPU_MODEL', '?')}, "
             f"kernel {env.get('KERNEL', '?')}, {env.get('MEM', '?')} RAM, {env.get('OS', '?')}")
    L.append(f"- **Versions:** {env.get('NGINX_VERSION', '?')}; {env.get('HAPROXY_VERSION', '?')}; "
             f"{env.get('JAVA_VERSION', '?')}; {env.get('WRK_VERSION', '?')}")
    L.append(f"- **Tandem:** commit {env.get('GIT_COMMIT', '?')}, jar {env.get('JAR_ORIGIN', '?')} "
             f"(sha256 {env.get('JAR_SHA', '?')}), run as `java {env.get('JAVA_OPTS', '')} -jar … --config …`")
    if env.get("EXTRA_OPTS"):
        L.append(f"- **Variants with their own JVM flags:** {env['EXTRA_OPTS'].strip()}")
    L.append(f"- **Pinning:** {env.get('PINNING', '?')}")
    if env.get("JVM_WARMUP"):
        L.append(f"- **JVM warm-up:** {env['JVM_WARMUP']}")
    if env.get("LEAD_IN"):
        L.append(f"- **Lead-in:** {env['LEAD_IN']}")
    L.append(f"- **Load average** (1/5/15 min) at start: {env.get('LOADAVG_START', '?')}; "
             f"at end: {env.get('LOADAVG_END', '?')}; {env.get('QUIET', '')}")
    L.append("")
    if env.get("NOISE_NOTE"):
        L.append(f"> **Noise.** {env['NOISE_NOTE']}")
        L.append("")
    summaries = {w: summarise([r for r in rows if r["workload"] == w], clk_tck) for w in workloads}
    failed = work / "failed.txt"
    if failed.exists() and failed.read_text().strip():
        L.append("> **Targets that failed during the run** (their later samples are 0 req/s or disturbed):")
        for line in failed.read_text().splitlines():
            L.append(f"> - `{line.strip()}`")
        L.append("")
    L.extend(headline(summaries, work))
    L.append("How to read: req/s, p50 and p99 are medians over rounds; in brackets, the slowest and fastest "
             "round. \"÷ nginx\" compares with nginx in the same run. CPU/req is the proxy's own CPU time "
             "(utime+stime of all its processes and threads, from /proc/PID/stat) divided by the requests wrk "
             "completed; \"req/s per core\" is its inverse, what the proxy would serve with a whole core to "
             "itself. It is the figure least moved by other load on the machine. Peak RSS is VmHWM, reset "
             "before each measurement, the highest round (nginx: master + worker). \"Proxy core\" gives the "
             "share of wall time the proxy used its core, then the share other processes took from it (in a "
             "quiet round the proxy is near 100% and others near 0%; when others took much, the round's "
             "req/s and p99 are disturbed). \"Load core\" is how busy wrk + upstream kept theirs: near 100% "
             "with the proxy core below 100% means the load generator, not the proxy, set the pace. For "
             "`direct` there is no proxy: the CPU/req column shows the upstream's CPU per request.")
    L.append("")
    for w in workloads:
        summ = summaries[w]
        ng = summ.get("nginx")
        L.append(f"## {WORKLOAD_TITLES.get(w, w)} (`{w}`)")
        L.append("")
        L.append("| target | req/s (slowest–fastest round) | ÷ nginx | p50 | p99 | p99 ÷ nginx | CPU/req "
                 "| CPU/req ÷ nginx | req/s per core | peak RSS | proxy core: proxy / others | load core "
                 "| errors |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for t in order:
            s = summ.get(t)
            if not s:
                continue
            ratio = s["rps"] / ng["rps"] if ng and ng["rps"] else float("nan")
            p99r = s["p99"] / ng["p99"] if ng and ng["p99"] else float("nan")
            if t == "direct":
                cpu = f"({s['up_cpu_us']:.1f} µs upstream)"
                cpur = capacity = hwm = core = "—"
            else:
                cpu = f"{s['cpu_us']:.1f} µs"
                cpur = fmt_ratio(s["cpu_us"] / ng["cpu_us"]) if ng and ng["cpu_us"] else "n/a"
                capacity = f"{1e6 / s['cpu_us']:,.0f}" if s["cpu_us"] else "n/a"
                hwm = f"{s['hwm_mib']:.1f} MiB"
                core = f"{s['proxy_busy_pct']:.0f}% / {s['foreign_pct']:.0f}%"
            if s["errors"] or s["non_2xx"]:
                err = f"{int(s['errors'])} socket, {int(s['non_2xx'])} non-2xx"
            else:
                err = "0"
            L.append(f"| {t} | {s['rps']:,.0f} ({s['rps_min']:,.0f}–{s['rps_max']:,.0f}) | {fmt_ratio(ratio)} "
                     f"| {fmt_us(s['p50'])} | {fmt_us(s['p99'])} | {fmt_ratio(p99r)} | {cpu} | {cpur} "
                     f"| {capacity} | {hwm} | {core} | {s['load_busy_pct']:.0f}% | {err} |")
        L.append("")

    startup = work / "startup.json"
    if startup.exists():
        st = json.loads(startup.read_text())
        L.append("## Tandem start-up")
        L.append("")
        L.append("Process start (`exec` of `java`) → listener accepting a TCP connection, and → first proxied "
                 "200 response; "
                 f"{st['runs']} cold start(s), JVM pinned as under load ({st['cpus']}).")
        L.append("")
        L.append("| measure | median | min | max |")
        L.append("|---|---|---|---|")
        for key, title in (("accept_ms", "port accepting"), ("first_response_ms", "first proxied 200")):
            xs = st[key]
            L.append(f"| {title} | {statistics.median(xs):.0f} ms | {min(xs):.0f} ms | {max(xs):.0f} ms |")
        L.append("")
    idle = work / "idle.json"
    if idle.exists():
        rows_idle = json.loads(idle.read_text())
        L.append("## RSS with 1,000 idle keep-alive client connections")
        L.append("")
        L.append("Each connection sends one small JSON GET, reads the response and stays open; RSS (VmRSS, "
                 "all processes of the proxy) is read after all are open and idle for a few seconds.")
        L.append("")
        L.append("| target | state | connections open | RSS before | RSS with connections | peak RSS (VmHWM) |")
        L.append("|---|---|---|---|---|---|")
        for r in rows_idle:
            L.append(f"| {r['target']} | {r['state']} | {r['open']} of {r['wanted']} "
                     f"| {r['rss_before_kb'] / 1024:.1f} MiB | {r['rss_after_kb'] / 1024:.1f} MiB "
                     f"| {r['hwm_kb'] / 1024:.1f} MiB |")
        L.append("")
    if notes is not None and notes.exists():
        L.append(notes.read_text().rstrip())
        L.append("")
    L.append("Raw wrk output and the per-round samples of this run: `bench/results/raw/`.")
    out.write_text("\n".join(L) + "\n")


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--raw", required=True)
    s.add_argument("--workload", required=True)
    s.add_argument("--round", required=True, type=int)
    s.add_argument("--target", required=True)
    for c in ("proxy-ticks", "proxy-hwm-kb", "upstream-ticks", "proxy-core-busy", "proxy-core-softirq",
              "load-core-busy"):
        s.add_argument("--" + c, type=int, default=0)
    r = sub.add_parser("render")
    r.add_argument("--work", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--notes", help="markdown appended after the tables (the analysis of the run)")
    a = p.parse_args()
    if a.cmd == "sample":
        return cmd_sample(a)
    render(Path(a.work), Path(a.out), Path(a.notes) if a.notes else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
