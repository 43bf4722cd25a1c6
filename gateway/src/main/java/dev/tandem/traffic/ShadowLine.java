package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.upstream.PooledConnection;
import dev.tandem.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Shadow GETs from one event loop to one backend, pipelined (RFC 9112 section 9.3.2) on one connection. The answers
 * clock the sends, as Nagle's algorithm does for segments: a shadow written while no answer is awaited leaves at
 * once; shadows written while answers are awaited are held, and leave together, in one write, when answers come in.
 * Their answers come back in order and are handed to their calls in turn. A connection per shadow costs a send and a
 * receive (and a wake-up of the backend) each; here many shadows share them. For backends configured with
 * {@code shadow-pipelining} only, and only for GETs without a body: a GET's response is framed the same way every
 * time, so the response decoder needs no per-request hint.
 *
 * <p>No loop task flushes the line. On io_uring, Netty runs a loop's tasks only after its I/O handler has gone
 * through up to 128 rounds of completions; under load that held a task's flush for 8-16 ms, the lines stayed full
 * and most shadows took connections of their own (bench/results/IMPROVEMENTS.md, session 5).
 *
 * <p>The connection comes from the shadow pools and goes back to them whenever no shadow waits on it, so the pool's
 * idle timeout and liveness check keep applying. If the backend closes the connection, answers with
 * {@code Connection: close}, breaks the framing or takes longer than its response timeout, every shadow still
 * waiting on the connection fails (counted as a mirror error) and the next one opens a new connection. Touched
 * only from its event loop.
 */
final class ShadowLine implements UpstreamListener {
    /** Shadows waiting on one line at most; beyond, the next line of its {@link ShadowLines} takes them. */
    static final int MAX_DEPTH = 32;

    private record Unsent(ShadowCall call, ShadowHead head) {
    }

    /** Its loop, backend and pools are the owner's. */
    private final ShadowLines owner;
    /** Waiting for a connection. */
    private final ArrayDeque<Unsent> unsent = new ArrayDeque<>();
    /** Written to the connection, not flushed: they leave with the next answers. */
    private final ArrayDeque<ShadowCall> held = new ArrayDeque<>();
    /** Sent, in the order their answers will come. */
    private final ArrayDeque<ShadowCall> answering = new ArrayDeque<>();
    private @Nullable PooledConnection connection;
    /** Answers taken on the current connection. */
    private int answeredHere;
    private boolean connecting;
    private @Nullable ScheduledFuture<?> timer;

    ShadowLine(ShadowLines owner) {
        this.owner = owner;
    }

    static boolean eligible(BackendConfig backend, HttpMethod method, int bodyLength) {
        return backend.shadowPipelining() && bodyLength == 0 && HttpMethod.GET.equals(method);
    }

    /** Queues a shadow GET; false when the line is full, and the caller tries another. */
    boolean send(ShadowCall call, ShadowHead head) {
        if (unsent.size() + held.size() + answering.size() >= MAX_DEPTH) {
            return false;
        }
        PooledConnection conn = connection;
        if (conn != null) {
            write(conn, call, head);
            if (answering.isEmpty()) {
                flush(conn); // no answer is awaited that would carry it along
            }
            return true;
        }
        unsent.add(new Unsent(call, head));
        if (!connecting) {
            connect();
        }
        return true;
    }

    private void connect() {
        connecting = true;
        Future<PooledConnection> acquired = owner.pools().pool(owner.loop(), owner.backend()).acquire();
        if (acquired.isDone()) {
            connected(acquired);
        } else {
            acquired.addListener(f -> connected(acquired));
        }
    }

    private void connected(Future<PooledConnection> acquired) {
        connecting = false;
        if (!acquired.isSuccess()) {
            failAll();
            return;
        }
        PooledConnection conn = acquired.getNow();
        conn.bind(this);
        connection = conn;
        answeredHere = 0;
        Unsent next;
        while ((next = unsent.poll()) != null) {
            write(conn, next.call(), next.head());
        }
        flush(conn);
    }

    private void write(PooledConnection conn, ShadowCall call, ShadowHead head) {
        conn.writeRequestHead(HttpMethod.GET, head.write(conn.channel().alloc(), owner.backend(), 0));
        held.add(call);
    }

    /** Sends the held shadows in one write; their latency counts from now, as a primary's does from its send. */
    private void flush(PooledConnection conn) {
        if (held.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        ShadowCall call;
        while ((call = held.poll()) != null) {
            call.started(now);
            answering.add(call);
        }
        Channel channel = conn.channel();
        channel.flush();
        channel.read();
        if (timer == null) {
            timer = owner.loop().schedule(this::checkTimeout, owner.backend().responseTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** The oldest shadow waiting sets the deadline: past it, the connection is given up with all that wait on it. */
    private void checkTimeout() {
        timer = null;
        ShadowCall oldest = answering.peek();
        if (oldest == null) {
            return;
        }
        long left = oldest.startNanos() + owner.backend().responseTimeout().toNanos() - System.nanoTime();
        if (left <= 0) {
            broken("left a shadow unanswered past its response timeout");
        } else {
            timer = owner.loop().schedule(this::checkTimeout, left, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void onUpstreamMessage(Object message) {
        ShadowCall call = answering.peek();
        if (call == null) {
            ReferenceCountUtil.release(message); // an answer nobody asked for: the framing is lost
            broken("sent an answer no shadow was waiting for");
            return;
        }
        call.onUpstreamMessage(message);
        if (call.isFinished()) {
            answering.poll();
            answeredHere++;
            if (!call.isReusable()) {
                // Those behind it will not be answered here.
                broken("answered with Connection: close or a broken response");
            } else if (answering.isEmpty() && held.isEmpty() && unsent.isEmpty()) {
                idle();
            }
        }
    }

    /** Nothing waits on the connection: back to the pool, where the idle timeout and liveness checks apply. */
    private void idle() {
        PooledConnection conn = connection;
        connection = null;
        if (conn != null) {
            conn.release(true);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        PooledConnection conn = connection;
        if (conn == null) {
            return;
        }
        if (!held.isEmpty()) {
            flush(conn); // answers came in: what waited for them leaves now (and reads on)
        } else if (!answering.isEmpty()) {
            conn.channel().read();
        }
    }

    @Override
    public void onUpstreamClosed() {
        broken("closed the connection");
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        broken("failed the connection (" + cause + ")");
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        // Shadow heads are small and bounded by MAX_DEPTH: nothing to pause.
    }

    /**
     * The connection is given up, failing the shadows that wait on it. If the backend had answered on it and then
     * ended it with shadows still waiting, it does not take pipelined requests: the owner stops using lines.
     */
    private void broken(String how) {
        if (answeredHere > 0 && !(answering.isEmpty() && held.isEmpty())) {
            owner.refused(how, answering.size() + held.size());
        }
        PooledConnection conn = connection;
        connection = null;
        if (conn != null) {
            conn.release(false);
        }
        failAll();
    }

    private void failAll() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ShadowCall call;
        while ((call = answering.poll()) != null) {
            call.fail();
        }
        while ((call = held.poll()) != null) {
            call.fail();
        }
        Unsent next;
        while ((next = unsent.poll()) != null) {
            next.call().fail();
        }
    }
}
