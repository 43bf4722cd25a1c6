package dev.tandem.upstream;

import dev.tandem.config.BackendConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * All upstream pools: one per backend per event loop, so that an exchange takes its upstream connection on its own
 * loop with no hand-off. Backend addresses are resolved once, at construction, never on an event loop.
 */
public final class UpstreamPools {
    private final Class<? extends SocketChannel> channelType;
    private final ConnectObserver connectObserver;
    /** Backend addresses by "host:port", resolved off the event loops at start and on reload. */
    private volatile Map<String, InetSocketAddress> addresses = Map.of();
    /** Each loop's own pools, by backend settings; read and written only by that loop's thread. */
    private final FastThreadLocal<Map<BackendConfig, UpstreamPool>> loopPools = new FastThreadLocal<>() {
        @Override
        protected Map<BackendConfig, UpstreamPool> initialValue() {
            return new HashMap<>();
        }
    };
    /** Each loop's most recently used pool per backend name. */
    private final FastThreadLocal<Map<String, UpstreamPool>> lastUsed = new FastThreadLocal<>() {
        @Override
        protected Map<String, UpstreamPool> initialValue() {
            return new HashMap<>();
        }
    };
    /** Every pool, for the admin view, reloads and shutdown; written once per pool, read from other threads. */
    private final Map<EventLoop, Map<BackendConfig, UpstreamPool>> all = new ConcurrentHashMap<>();

    /** Told of every connection attempt, from the event loop that made it. */
    @FunctionalInterface
    public interface ConnectObserver {
        ConnectObserver NONE = (backend, nanos, success) -> { };

        void connected(String backend, long nanos, boolean success);
    }

    public UpstreamPools(Collection<BackendConfig> backends, Class<? extends SocketChannel> channelType,
            ConnectObserver connectObserver) {
        this.channelType = channelType;
        this.connectObserver = connectObserver;
        this.addresses = resolve(backends, Map.of());
    }

    /**
     * The pool of a backend on the calling event loop. Pools are keyed by the backend's whole settings, so a reload
     * that changes a backend gets fresh pools while exchanges still running on the old settings finish on the old.
     */
    public UpstreamPool pool(EventLoop loop, BackendConfig backend) {
        assert loop.inEventLoop() : "pools are per event loop";
        Map<BackendConfig, UpstreamPool> pools = loopPools.get();
        // Fast path: the same settings object as last time on this loop (a record's hash walks every field).
        UpstreamPool last = lastUsed.get().get(backend.name());
        if (last != null && last.backend() == backend && !last.isClosed()) {
            return last;
        }
        UpstreamPool pool = pools.get(backend);
        if (pool == null) {
            pool = new UpstreamPool(loop, backend, address(backend), channelType, connectObserver);
            pools.put(backend, pool);
            all.computeIfAbsent(loop, l -> new ConcurrentHashMap<>()).put(backend, pool);
        }
        lastUsed.get().put(backend.name(), pool);
        return pool;
    }

    /** A backend's address, resolved at start or reload. */
    public InetSocketAddress address(BackendConfig backend) {
        InetSocketAddress address = addresses.get(key(backend));
        if (address == null) {
            throw new IllegalArgumentException("backend '" + backend.name() + "' was never resolved");
        }
        return address;
    }

    /**
     * Resolves the addresses of a reloaded config's backends, on the caller's thread (never a loop). Throws, changing
     * nothing, when a host cannot be resolved. Addresses of the running config stay known until {@link #retain}.
     */
    public void prepare(Collection<BackendConfig> backends) {
        Map<String, InetSocketAddress> merged = new HashMap<>(addresses);
        merged.putAll(resolve(backends, addresses));
        addresses = Map.copyOf(merged);
    }

    /**
     * Once a reloaded config is installed: each loop closes the pools of backend settings that are gone.
     * Connections still in use close when their exchange releases them.
     */
    public void retain(Collection<BackendConfig> backends) {
        Set<BackendConfig> current = new HashSet<>(backends);
        all.forEach((loop, pools) -> loop.execute(() -> {
            Map<BackendConfig, UpstreamPool> own = loopPools.get();
            own.entrySet().removeIf(entry -> {
                if (current.contains(entry.getKey())) {
                    return false;
                }
                entry.getValue().close();
                pools.remove(entry.getKey());
                return true;
            });
        }));
    }

    private static Map<String, InetSocketAddress> resolve(Collection<BackendConfig> backends,
            Map<String, InetSocketAddress> known) {
        Map<String, InetSocketAddress> resolved = new HashMap<>();
        for (BackendConfig backend : backends) {
            String key = key(backend);
            InetSocketAddress address = known.get(key);
            if (address == null) {
                address = new InetSocketAddress(backend.host(), backend.port());
                if (address.isUnresolved()) {
                    throw new IllegalArgumentException("backend '" + backend.name() + "': cannot resolve host "
                            + backend.host());
                }
            }
            resolved.put(key, address);
        }
        return Map.copyOf(resolved);
    }

    private static String key(BackendConfig backend) {
        return backend.host() + ':' + backend.port();
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
