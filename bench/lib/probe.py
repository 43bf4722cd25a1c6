#!/usr/bin/env python3
"""Start-up time and idle-connection memory probes for bench/run.

  probe.py startup --port P --runs N --out FILE [--idle-out FILE --idle N --path /json] -- CMD...
      Starts CMD N times. For each run: time from just before the exec to the first accepted TCP connection on
      P, and to the first proxied 200 on GET path; then SIGTERM (bounded wait, then SIGKILL). After the last
      run's probe, optionally opens N idle connections to that fresh process and records its RSS.
  probe.py idle --port P --pids PID[,PID...] --target NAME --state TEXT --out FILE [--n 1000]
      Opens N keep-alive connections to an already running proxy (one GET each, response read, connection
      kept open) and appends {target, RSS before/after, VmHWM} to the JSON list in FILE.

Every wait is bounded; nothing here retries forever.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REQUEST = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tandem-bench-probe\r\n\r\n"


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(x) for x in text.split()]


def family(pids: list[int]) -> list[int]:
    out = []
    for p in pids:
        out.append(p)
        out.extend(children(p))
    return out


def rss_kb(pids: list[int]) -> int:
    return sum(status_kb(p, "VmRSS") for p in family(pids))


def hwm_kb(pids: list[int]) -> int:
    return sum(status_kb(p, "VmHWM") for p in family(pids))


def http_get_ok(port: int, path: str, timeout: float) -> bool:
    """One GET on a fresh connection; True on a 200 status line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(REQUEST % path.encode())
            data = b""
            while b"\r\n" not in data and len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


async def read_response(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n")
    ok = head.startswith(b"HTTP/1.1 200")
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return ok


async def open_idle(port: int, n: int, path: str, batch: int = 50, timeout: float = 10.0):
    """Opens n connections, one GET each; returns the open writers (the caller closes them) and failures."""
    writers: list[asyncio.StreamWriter] = []
    failures = 0

    async def one():
        nonlocal failures
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            writer.write(REQUEST % path.encode())
            await writer.drain()
            if await asyncio.wait_for(read_response(reader), timeout):
                writers.append(writer)
            else:
                failures += 1
                writer.close()
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            failures += 1

    for start in range(0, n, batch):
        await asyncio.gather(*(one() for _ in range(min(batch, n - start))))
    return writers, failures


def idle_probe(port: int, pids: list[int], n: int, path: str, hold: float, target: str, state: str) -> dict:
    before = rss_kb(pids)

    async def run():
        writers, failures = await open_idle(port, n, path)
        await asyncio.sleep(hold)
        # Connections still open after the hold: the proxy did not drop them as idle.
        alive = sum(1 for w in writers if not w.is_closing() and not w.transport.is_closing())
        after = rss_kb(pids)
        hwm = hwm_kb(pids)
        for w in writers:
            w.close()
        await asyncio.sleep(0.2)
        return alive, failures, after, hwm

    alive, failures, after, hwm = asyncio.run(asyncio.wait_for(run(), timeout=120))
    return {"target": target, "state": state, "wanted": n, "open": alive, "failed": failures,
            "rss_before_kb": before, "rss_after_kb": after, "hwm_kb": hwm}


def append_json(path: Path, row: dict) -> None:
    rows = json.loads(path.read_text()) if path.exists() else []
    rows.append(row)
    path.write_text(json.dumps(rows, indent=1) + "\n")


def cmd_startup(a: argparse.Namespace) -> int:
    accept_ms: list[float] = []
    first_ms: list[float] = []
    log = open(a.log, "ab") if a.log else subprocess.DEVNULL
    for i in range(a.runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(a.command, stdout=log, stderr=log)
        try:
            accepted = None
            deadline = t0 + a.timeout
            while time.perf_counter() < deadline and proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", a.port), timeout=0.5):
                        accepted = time.perf_counter()
                        break
                except OSError:
                    time.sleep(0.002)
            if accepted is None:
                print(f"probe.py: run {i + 1}: port {a.port} not accepting after {a.timeout} s "
                      f"(exit status {proc.poll()})", file=sys.stderr)
                return 1
            first = None
            while time.perf_counter() < deadline:
                if http_get_ok(a.port, a.path, 2.0):
                    first = time.perf_counter()
                    break
                time.sleep(0.002)
            if first is None:
                print(f"probe.py: run {i + 1}: no 200 from {a.path} within {a.timeout} s", file=sys.stderr)
                return 1
            accept_ms.append((accepted - t0) * 1000)
            first_ms.append((first - t0) * 1000)
            if a.idle_out and i == a.runs - 1:
                time.sleep(1.0)
                row = idle_probe(a.port, [proc.pid], a.idle, a.path, a.hold, "tandem", "fresh process (after start-up)")
                append_json(Path(a.idle_out), row)
        finally:
            stop(proc)
    Path(a.out).write_text(json.dumps({"runs": a.runs, "cpus": a.cpus, "accept_ms": accept_ms,
                                       "first_response_ms": first_ms}, indent=1) + "\n")
    print(f"start-up: accept median {statistics.median(accept_ms):.0f} ms, "
          f"first 200 median {statistics.median(first_ms):.0f} ms over {a.runs} run(s)")
    return 0


def cmd_idle(a: argparse.Namespace) -> int:
    pids = [int(p) for p in a.pids.split(",") if p]
    row = idle_probe(a.port, pids, a.n, a.path, a.hold, a.target, a.state)
    append_json(Path(a.out), row)
    print(f"idle {a.target}: {row['open']}/{row['wanted']} open, RSS {row['rss_before_kb'] // 1024} -> "
          f"{row['rss_after_kb'] // 1024} MiB")
    return 0


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="sub", required=True)
    s = sub.add_parser("startup")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--timeout", type=float, default=30.0)
    s.add_argument("--path", default="/json")
    s.add_argument("--out", required=True)
    s.add_argument("--log")
    s.add_argument("--cpus", default="unpinned")
    s.add_argument("--idle-out")
    s.add_argument("--idle", type=int, default=1000)
    s.add_argument("--hold", type=float, default=3.0)
    s.add_argument("command", nargs=argparse.REMAINDER)
    i = sub.add_parser("idle")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--pids", required=True)
    i.add_argument("--target", required=True)
    i.add_argument("--state", default="after the load runs")
    i.add_argument("--out", required=True)
    i.add_argument("--n", type=int, default=1000)
    i.add_argument("--hold", type=float, default=3.0)
    i.add_argument("--path", default="/json")
    a = p.parse_args()
    if a.sub == "startup":
        if a.command[:1] == ["--"]:
            a.command = a.command[1:]
        if not a.command:
            p.error("startup needs a command after --")
        return cmd_startup(a)
    return cmd_idle(a)


if __name__ == "__main__":
    sys.exit(main())
