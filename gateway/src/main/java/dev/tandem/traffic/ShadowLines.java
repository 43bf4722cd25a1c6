package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.upstream.UpstreamPools;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipelined {@link ShadowLine}s from one event loop to one backend. A line is kept shallow: a server answers a
 * connection's pipelined requests one after the other, so one deep line would make its last shadows wait for all
 * those before (and their paired latency would say so). A loop turn's shadows are spread over
 * several lines instead, filling the first with room; each sends what it holds in one write. When every line
 * is full, a shadow goes on a connection of its own.
 *
 * <p>A backend that answers on a line and then ends the connection with shadows still waiting (it closes, answers
 * {@code Connection: close}, breaks the framing or stalls past the response timeout) is restarting or does not
 * take pipelined requests, whatever its config says. Those shadows fail (mirror errors); for the next
 * {@link #REFUSAL_MILLIS} every shadow to it goes on a connection of its own, with a warning, and then lines are
 * tried again: a backend that never takes them costs the shadows on its lines once a minute. Touched only from
 * its event loop.
 */
final class ShadowLines {
    private static final Logger log = LoggerFactory.getLogger(ShadowLines.class);
    /** Lines per loop and backend at most; beyond, shadows get connections of their own. */
    static final int MAX_LINES = 8;
    /** How long shadows go alone after the backend refused a line. */
    static final long REFUSAL_MILLIS = 60_000;

    private final EventLoop loop;
    private final BackendConfig backend;
    private final UpstreamPools pools;
    private final List<ShadowLine> lines = new ArrayList<>();
    private boolean refused;
    private long refusedUntilNanos;

    ShadowLines(EventLoop loop, BackendConfig backend, UpstreamPools pools) {
        this.loop = loop;
        this.backend = backend;
        this.pools = pools;
    }

    BackendConfig backend() {
        return backend;
    }

    EventLoop loop() {
        return loop;
    }

    UpstreamPools pools() {
        return pools;
    }

    /** Queues a shadow GET on the first line with room; false when all are full or the backend refused lines. */
    boolean send(ShadowCall call, ShadowHead head) {
        if (refused) {
            if (System.nanoTime() - refusedUntilNanos < 0) {
                return false;
            }
            refused = false;
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).send(call, head)) {
                return true;
            }
        }
        if (lines.size() >= MAX_LINES) {
            return false;
        }
        ShadowLine line = new ShadowLine(this);
        lines.add(line);
        return line.send(call, head);
    }

    /** A line's backend ended its connection with {@code waiting} shadows outstanding after answering on it. */
    void refused(String how, int waiting) {
        if (!refused) {
            refused = true;
            refusedUntilNanos = System.nanoTime() + REFUSAL_MILLIS * 1_000_000;
            log.warn("backend '{}' {} with {} pipelined shadow(s) still waiting: it does not take pipelined requests"
                    + " (or restarted); its shadows go on connections of their own for {} s (if it never takes them,"
                    + " set shadow-pipelining = false for it)", backend.name(), how, waiting, REFUSAL_MILLIS / 1000);
        }
    }
}
