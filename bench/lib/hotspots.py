#!/usr/bin/env python3
"""Summarises an async-profiler collapsed-stack file (written with the `threads` option).

  hotspots.py FILE.collapsed [--requests N --cpu-seconds S] [--top 25]
  jfr print --events jdk.ExecutionSample --stack-depth 128 F.jfr | hotspots.py --jfr-lines -
      the deepest Tandem frame of each sample, with its source line (collapsed stacks have no lines)

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


# Components, tried in order on each frame from the leaf up; the first frame that matches names the sample's
# component. Kernel samples are named by the system call they are in.
COMPONENTS = [
    ("clock reads (System.nanoTime)", re.compile(r"^\[vdso\]$|javaTimeNanos|javaTimeMillis|clock_gettime")),
    ("leak detection records", re.compile(r"ResourceLeakDetector|fill_in_stack_trace")),
    ("timers (schedule/cancel)", re.compile(r"AbstractScheduledEventExecutor|ScheduledFutureTask|DefaultPriorityQueue|"
                                            r"ClientTimeoutHandler\.(arm|cancel)|armTimeout|cancelTimeout|armDeadline")),
    ("metrics (Micrometer, dev.tandem.metrics)", re.compile(r"io/micrometer|dev/tandem/metrics|LatencyWindows")),
    ("resilience (guards, breaker)", re.compile(r"dev/tandem/resilience|resilience4j")),
    ("header validation", re.compile(r"HttpHeaderValidationUtil|validateName|validateValue|validateCharSequenceToken|validateAsciiStringToken")),
    ("HTTP encoder", re.compile(r"HttpObjectEncoder|HttpHeadersEncoder")),
    ("HTTP decoder", re.compile(r"HttpObjectDecoder|HttpHeaders.*add|DefaultHttpHeaders")),
    ("Tandem handlers", re.compile(r"^dev/tandem/")),
    ("buffers (allocate/copy/release)", re.compile(r"io/netty/buffer|io/netty/util/Recycler|AbstractReferenceCounted")),
    ("pipeline plumbing", re.compile(r"AbstractChannelHandlerContext|DefaultChannelPipeline|CombinedChannelDuplexHandler|"
                                     r"FlowControlHandler|ByteToMessageDecoder|MessageToMessage|ChannelOutboundBuffer")),
    ("epoll transport", re.compile(r"io/netty/channel/epoll|io/netty/channel/unix|SingleThreadIoEventLoop|SingleThreadEventExecutor")),
]
SYSCALL = re.compile(r"^(?:__x64_sys_|__sys_|do_|ksys_)(writev|sendto|sendmsg|recvfrom|recvmsg|read|write|readv|"
                     r"epoll_pwait2|epoll_pwait|epoll_wait|epoll_ctl|futex|accept4|accept|close|shutdown|"
                     r"connect|setsockopt|getsockopt|ioctl|timerfd_settime|eventfd_write)_\[k\]$")


def component(frames: list[str]) -> str:
    if frames and frames[-1].endswith("_[k]"):
        for f in reversed(frames):
            m = SYSCALL.search(f)
            if m:
                return f"kernel: {m.group(1)}"
        return "kernel: interrupts/softirq/other"
    for f in reversed(frames):
        for name, rx in COMPONENTS:
            if rx.search(f):
                return name
    return "JVM/other"


def jfr_lines(stream, top: int) -> None:
    """Counts, per sample, the deepest dev.tandem frame with its line, and the leaf frame under it."""
    total = 0
    inner = collections.Counter()
    inner_leaf = collections.defaultdict(collections.Counter)
    frames: list[str] = []
    in_stack = False
    for line in stream:
        t = line.strip()
        if t.startswith("stackTrace = ["):
            in_stack, frames = True, []
            continue
        if in_stack:
            if t.startswith("]"):
                in_stack = False
                if not frames:
                    continue
                total += 1
                leaf = frames[0]
                deepest = next((f for f in frames if f.startswith("dev.tandem.")), "(no Tandem frame)")
                inner[deepest] += 1
                inner_leaf[deepest][leaf] += 1
            elif t and t != "...":
                # "pkg.Class.method(args) line: 123" -> "pkg.Class.method:123"
                m = re.match(r"(.+?)\(.*\)\s+line:\s*(-?\d+)", t)
                frames.append(f"{m.group(1)}:{m.group(2)}" if m else t)
    print(f"samples: {total}")
    print(f"\n== top {top} deepest Tandem frames with line (the sample's cost is charged to that line)")
    for f, n in inner.most_common(top):
        leaves = "; ".join(f"{l} {100.0 * m / n:.0f}%" for l, m in inner_leaf[f].most_common(3))
        print(f"  {100.0 * n / total:5.1f}%  {f}\n          leaves: {leaves}")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--jfr-lines", action="store_true")
    p.add_argument("--requests", type=int, default=0)
    p.add_argument("--cpu-seconds", type=float, default=0.0)
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args()
    if a.jfr_lines:
        import sys
        jfr_lines(sys.stdin if a.file == "-" else open(a.file, errors="replace"), a.top)
        return 0

    threads = collections.Counter()
    components = collections.Counter()
    self_frames = collections.Counter()
    cats = collections.Counter()
    tandem_incl = collections.Counter()
    netty_incl = collections.Counter()
    innermost = collections.Counter()
    innermost_leafcat = collections.defaultdict(collections.Counter)
    jdk_leaf_callers = collections.defaultdict(collections.Counter)
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
        components[component(frames)] += n
        inner = next((f for f in reversed(frames) if f.startswith(("dev/tandem/", "dev.tandem."))), "(no Tandem frame)")
        innermost[inner] += n
        innermost_leafcat[inner][category(leaf)] += n
        if category(leaf) in ("jdk", "micrometer", "jvm-other", "libc") or leaf == "[vdso]":
            jdk_leaf_callers[leaf][inner] += n
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
    print("\n== by component (kernel by system call; user space by the innermost matching frame)")
    for c, n in components.most_common():
        print(f"  {share(n)}  {c}")
    print(f"\n== top {a.top} self frames")
    for f, n in self_frames.most_common(a.top):
        print(f"  {share(n)}  {f}")
    print(f"\n== top {a.top} Tandem frames, inclusive (samples with the frame anywhere on the stack)")
    for f, n in tandem_incl.most_common(a.top):
        print(f"  {share(n)}  {f}")
    print(f"\n== top {a.top} innermost Tandem frames: each sample charged to the deepest Tandem frame on its stack")
    print("   (what our code costs including the library and kernel work it calls; the rest is the leaf mix)")
    for f, n in innermost.most_common(a.top):
        mix = ", ".join(f"{c} {100.0 * m / n:.0f}%" for c, m in innermost_leafcat[f].most_common(4))
        print(f"  {share(n)}  {f}   [{mix}]")
    print(f"\n== top JDK/JVM/library leaf frames and the Tandem frame that called them")
    for leaf, callers in sorted(jdk_leaf_callers.items(), key=lambda kv: -sum(kv[1].values()))[:12]:
        tot = sum(callers.values())
        who = "; ".join(f"{c} {100.0 * m / tot:.0f}%" for c, m in callers.most_common(3))
        print(f"  {share(tot)}  {leaf}  <- {who}")
    print(f"\n== top {a.top} Netty codec/transport frames, inclusive")
    for f, n in netty_incl.most_common(a.top):
        print(f"  {share(n)}  {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
