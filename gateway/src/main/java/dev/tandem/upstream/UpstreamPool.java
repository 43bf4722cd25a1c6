package dev.tandem.upstream;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.PoolConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive connections of one backend on one event loop. Every method runs on that loop, so the pool needs
 * no locks; {@link #acquire} asserts it.
 *
 * <p>Idle connections are kept most-recently-used first, so that under light load a few warm connections serve
 * everything and the rest age out from the tail. An idle connection keeps a read outstanding: if the backend
 * closes it, we learn at once instead of on the next request.
 */
public final class UpstreamPool {
    /** Writes above the high mark pause reading from the client until the socket drains below the low one. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final EventLoop loop;
    private final BackendConfig backend;
    private final InetSocketAddress address;
    private final PoolConfig config;
    private final Bootstrap bootstrap;
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<PooledConnection>> waiters = new ArrayDeque<>();
    private final long idleTimeoutNanos;
    private int open;
    private int active;
    private boolean sweeping;
    private boolean closed;

    private final UpstreamPools.ConnectObserver connectObserver;

    UpstreamPool(EventLoop loop, BackendConfig backend, InetSocketAddress address,
            Class<? extends SocketChannel> channelType, UpstreamPools.ConnectObserver connectObserver) {
        this.loop = loop;
        this.connectObserver = connectObserver;
        this.backend = backend;
        this.address = address;
        this.config = backend.pool();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        // AUTO_READ off: the exchange reads a response only as fast as the client takes it.
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) backend.connectTimeout().toMillis());
    }

    public BackendConfig backend() {
        return backend;
    }

    /** Whether {@link #close} ran (a reload retired these settings). */
    boolean isClosed() {
        return closed;
    }

    /** Connections open now: idle, in use and connecting. */
    public int open() {
        return open;
    }

    /** Connections held by an exchange now. */
    public int active() {
        return active;
    }

    public int idle() {
        return idle.size();
    }

    /** Exchanges waiting for a connection now. */
    public int pending() {
        return waiters.size();
    }

    /**
     * A live idle connection, a new one, or a place in line; fails with {@link PoolExhaustedException} when the
     * line is full, or with the connect error.
     */
    public Future<PooledConnection> acquire() {
        assert loop.inEventLoop() : "pool used off its event loop";
        if (closed) {
            return loop.newFailedFuture(new IllegalStateException("pool closed"));
        }
        PooledConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.channel().isActive()) {
                active++;
                return loop.newSucceededFuture(connection);
            }
        }
        Promise<PooledConnection> promise = loop.newPromise();
        if (open < config.maxConnections()) {
            connect(promise);
        } else if (waiters.size() < config.maxPending()) {
            waiters.addLast(promise);
        } else {
            return loop.newFailedFuture(
                    new PoolExhaustedException(backend.name(), config.maxConnections(), config.maxPending()));
        }
        return promise;
    }

    private void connect(Promise<PooledConnection> promise) {
        open++;
        PooledConnection connection = new PooledConnection(this);
        long startNanos = System.nanoTime();
        ChannelFuture connect = bootstrap.clone()
                .handler(new UpstreamChannelInitializer(connection))
                .connect(address);
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> onClosed(connection));
        connect.addListener(f -> {
            connectObserver.connected(backend.name(), System.nanoTime() - startNanos, f.isSuccess());
            if (f.isSuccess()) {
                active++;
                if (!promise.trySuccess(connection)) {
                    // The exchange gave up while we connected (client gone): keep the connection for the next one.
                    release(connection, true);
                }
            } else {
                promise.tryFailure(f.cause());
            }
        });
    }

    void release(PooledConnection connection, boolean reusable) {
        active--;
        Channel channel = connection.channel();
        if (!reusable || closed || !channel.isActive()) {
            channel.close();
            return;
        }
        Promise<PooledConnection> waiter;
        while ((waiter = waiters.pollFirst()) != null) {
            if (!waiter.isDone()) {
                active++;
                if (waiter.trySuccess(connection)) {
                    return;
                }
                active--;
            }
        }
        connection.markIdle(System.nanoTime());
        idle.addFirst(connection);
        channel.read();
        scheduleSweep();
    }

    void detach(PooledConnection connection) {
        // A tunnel owns the channel now; it still counts as open until it closes.
        active--;
    }

    private void onClosed(PooledConnection connection) {
        open--;
        idle.remove(connection);
        // A place freed up: the oldest waiter gets a new connection.
        Promise<PooledConnection> waiter;
        while (!closed && open < config.maxConnections() && (waiter = waiters.pollFirst()) != null) {
            if (!waiter.isDone()) {
                connect(waiter);
            }
        }
    }

    private void scheduleSweep() {
        if (sweeping) {
            return;
        }
        sweeping = true;
        long periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), idleTimeoutNanos / 2);
        loop.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes connections idle for longer than the idle timeout, oldest (tail) first. */
    private void sweep() {
        sweeping = false;
        long now = System.nanoTime();
        Iterator<PooledConnection> oldestFirst = idle.descendingIterator();
        while (oldestFirst.hasNext()) {
            PooledConnection connection = oldestFirst.next();
            if (now - connection.idleSinceNanos() < idleTimeoutNanos) {
                break;
            }
            oldestFirst.remove();
            connection.channel().close();
        }
        if (!idle.isEmpty()) {
            scheduleSweep();
        }
    }

    /** Closes idle connections and refuses new acquisitions; connections in use close when released. */
    void close() {
        assert loop.inEventLoop();
        closed = true;
        PooledConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.channel().close();
        }
        Promise<PooledConnection> waiter;
        while ((waiter = waiters.pollFirst()) != null) {
            waiter.tryFailure(new IllegalStateException("pool closed"));
        }
    }
}
