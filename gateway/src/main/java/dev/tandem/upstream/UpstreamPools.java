package dev.tandem.upstream;

import dev.tandem.config.BackendConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * All upstream pools: one per backend per event loop, so that an exchange takes its upstream connection on its own
 * loop with no hand-off. Backend addresses are resolved once, at construction, never on an event loop.
 */
public final class UpstreamPools {
    private final Map<String, InetSocketAddress> addresses;
    private final Map<String, BackendConfig> backends;
    private final Class<? extends SocketChannel> channelType;
    /** Each loop's own pools; read and written only by that loop's thread. */
    private final FastThreadLocal<Map<String, UpstreamPool>> loopPools = new FastThreadLocal<>() {
        @Override
        protected Map<String, UpstreamPool> initialValue() {
            return new HashMap<>();
        }
    };
    /** Every pool, for the admin view and shutdown; written once per pool, read from other threads. */
    private final Map<EventLoop, Map<String, UpstreamPool>> all = new ConcurrentHashMap<>();

    private final ConnectObserver connectObserver;

    /** Told of every connection attempt, from the event loop that made it. */
    @FunctionalInterface
    public interface ConnectObserver {
        ConnectObserver NONE = (backend, nanos, success) -> { };

        void connected(String backend, long nanos, boolean success);
    }

    public UpstreamPools(Map<String, BackendConfig> backends, Class<? extends SocketChannel> channelType,
            ConnectObserver connectObserver) {
        this.backends = Map.copyOf(backends);
        this.channelType = channelType;
        this.connectObserver = connectObserver;
        Map<String, InetSocketAddress> resolved = new HashMap<>();
        backends.forEach((name, backend) -> {
            InetSocketAddress address = new InetSocketAddress(backend.host(), backend.port());
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("backend '" + name + "': cannot resolve host " + backend.host());
            }
            resolved.put(name, address);
        });
        this.addresses = Map.copyOf(resolved);
    }

    /** The pool of a backend on the calling event loop. */
    public UpstreamPool pool(EventLoop loop, String backend) {
        assert loop.inEventLoop() : "pools are per event loop";
        Map<String, UpstreamPool> pools = loopPools.get();
        UpstreamPool pool = pools.get(backend);
        if (pool == null) {
            BackendConfig config = backends.get(backend);
            if (config == null) {
                throw new IllegalArgumentException("unknown backend " + backend);
            }
            pool = new UpstreamPool(loop, config, addresses.get(backend), channelType, connectObserver);
            pools.put(backend, pool);
            all.computeIfAbsent(loop, l -> new ConcurrentHashMap<>()).put(backend, pool);
        }
        return pool;
    }

    /** A backend's address, resolved at start. */
    public InetSocketAddress address(String backend) {
        InetSocketAddress address = addresses.get(backend);
        if (address == null) {
            throw new IllegalArgumentException("unknown backend " + backend);
        }
        return address;
    }

    /** Visits every pool (from any thread; the counts read are approximate, as any gauge). */
    public void forEach(BiConsumer<EventLoop, UpstreamPool> visitor) {
        all.forEach((loop, pools) -> pools.values().forEach(pool -> visitor.accept(loop, pool)));
    }

    /** Closes every pool on its own loop. */
    public void close() {
        all.forEach((loop, pools) -> loop.execute(() -> pools.values().forEach(UpstreamPool::close)));
    }
}
