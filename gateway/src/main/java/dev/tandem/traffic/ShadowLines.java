package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.upstream.UpstreamPools;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipelined {@link ShadowLine}s from one event loop to one backend. A line is kept shallow: a server answers a
 * connection's pipelined requests one after the other, so one deep line would make its last shadows wait for all
 * those before (and their paired latency would say so). A loop turn's shadows are spread over
 * several lines instead, filling the first with room; each still sends its shadows in one write. When every line
 * is full, a shadow goes on a connection of its own. Touched only from its event loop.
 */
final class ShadowLines {
    /** Lines per loop and backend at most; beyond, shadows get connections of their own. */
    static final int MAX_LINES = 8;

    private final EventLoop loop;
    private final BackendConfig backend;
    private final UpstreamPools pools;
    private final List<ShadowLine> lines = new ArrayList<>();

    ShadowLines(EventLoop loop, BackendConfig backend, UpstreamPools pools) {
        this.loop = loop;
        this.backend = backend;
        this.pools = pools;
    }

    BackendConfig backend() {
        return backend;
    }

    /** Queues a shadow GET on the first line with room; false when all are full. */
    boolean send(ShadowCall call, ShadowHead head) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).send(call, head)) {
                return true;
            }
        }
        if (lines.size() >= MAX_LINES) {
            return false;
        }
        ShadowLine line = new ShadowLine(loop, backend, pools);
        lines.add(line);
        return line.send(call, head);
    }
}
