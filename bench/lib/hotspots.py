#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file (written with the `threads` option).

  hotspots.py FILE.collapsed [--requests N --cpu-seconds S] [--top 25]

Prints: samples per thread; per category (kernel, JVM/GC/JIT, Netty, JDK, Tandem); the top self frames
(where CPU is spent); the top inclusive Tandem frames (which of our methods lead to the cost). With
--requests and --cpu-seconds, each share is also turned into microseconds of CPU per request.
"""
from __future__ import annotations

import argparse
import collections
import re


def category(frame: str) -> str:
    if frame.endswith("_[k]"):
        return "kernel"
    f = frame.replace("/", ".")
    if f.startswith("dev.tandem."):
        return "tandem"
    if f.startswith("io.netty."):
        return "netty"
    if f.startswith("io.micrometer.") or f.startswith("org.HdrHistogram") or f.startswith("org.LatencyUtils"):
        return "micrometer"
    if f.startswith(("ch.qos.logback", "org.slf4j")):
        return "logging"
    if f.startswith(("java.", "jdk.", "sun.")):
        return "jdk"
    if f.startswith(("com.typesafe", "io.github.resilience4j", "com.fasterxml")):
        return "libraries"
    if re.search(r"(GC|G1|PS|Parallel|Scavenge|Mark|Compact|Card)", frame):
        return "jvm-gc"
    if re.search(r"(Compile|C2|C1|Compilation|PhaseIdealLoop|Matcher|Parse)", frame):
        return "jvm-jit"
    if frame.startswith(("__", "libc", "epoll", "read", "write", "syscall")) or "libc" in frame:
        return "libc"
    return "jvm-other"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--requests", type=int, default=0)
    p.add_argument("--cpu-seconds", type=float, default=0.0)
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()

    threads = collections.Counter()
    self_frames = collections.Counter()
    cats = collections.Counter()
    tandem_incl = collections.Counter()
    netty_incl = collections.Counter()
    total = 0
    for line in open(a.file, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        thread = frames[0] if frames[0].startswith("[") else "?"
        thread = re.sub(r" tid=\d+", "", thread)
        thread = re.sub(r"-\d+\]$", "-N]", thread)
        if frames[0].startswith("["):
            frames = frames[1:]
        total += n
        threads[thread] += n
        leaf = frames[-1] if frames else "?"
        self_frames[leaf] += n
        # The category of a sample: the innermost frame that is not JDK/kernel glue decides whose cost it is,
        # except that kernel and JVM-internal leaves stay theirs.
        cats[category(leaf)] += n
        for f in set(frames):
            if f.startswith("dev/tandem/") or f.startswith("dev.tandem."):
                tandem_incl[f] += n
            if f.startswith("io/netty/handler/codec") or f.startswith("io/netty/channel/epoll"):
                netty_incl[f] += n

    per_req = a.cpu_seconds / a.requests * 1e6 if a.requests and a.cpu_seconds else 0.0

    def share(n: int) -> str:
        s = f"{100.0 * n / total:5.1f}%"
        if per_req:
            s += f" {per_req * n / total:6.2f} µs/req"
        return s

    print(f"samples: {total}")
    if per_req:
        print(f"process CPU: {a.cpu_seconds:.2f} s for {a.requests} requests = {per_req:.2f} µs/request")
    print("\n== by thread")
    for t, n in threads.most_common(12):
        print(f"  {share(n)}  {t}")
    print("\n== by category of the leaf frame")
    for c, n in cats.most_common():
        print(f"  {share(n)}  {c}")
    print(f"\n== top {a.top} self frames")
    for f, n in self_frames.most_common(a.top):
        print(f"  {share(n)}  {f}")
    print(f"\n== top {a.top} Tandem frames, inclusive (samples with the frame anywhere on the stack)")
    for f, n in tandem_incl.most_common(a.top):
        print(f"  {share(n)}  {f}")
    print(f"\n== top {a.top} Netty codec/transport frames, inclusive")
    for f, n in netty_incl.most_common(a.top):
        print(f"  {share(n)}  {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
