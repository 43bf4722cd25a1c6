package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.MirrorConfig.CompareConfig;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.MirrorConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.upstream.UpstreamPools;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Shadow mirroring for every route that asks for it: decides which requests are mirrored, keeps the mirrors on
 * their own upstream connections (so a slow shadow never holds a primary's keep-alive connection), bounds their
 * cost (sampling, body size, in-flight per event loop: excess is dropped and counted, never queued), and compares
 * responses on a thread of its own with a bounded queue.
 */
public final class Mirrors implements AutoCloseable {
    private static final int COMPARE_QUEUE = 1024;

    private final UpstreamPools shadowPools;
    private final @Nullable MeterRegistry meters;
    private final Map<String, MirrorStats> stats = new ConcurrentHashMap<>();
    /** One comparator per comparison config (it depends on nothing else); looked up by record equality. */
    private final Map<CompareConfig, ResponseComparator> comparators = new ConcurrentHashMap<>();
    /** Mirrors in flight per route on each loop; touched only by that loop. */
    private final FastThreadLocal<Map<String, int[]>> inFlight = new FastThreadLocal<>() {
        @Override
        protected Map<String, int[]> initialValue() {
            return new HashMap<>();
        }
    };
    /** Pipelined shadow lines by backend name on each loop; touched only by that loop. */
    private final FastThreadLocal<Map<String, ShadowLines>> lines = new FastThreadLocal<>() {
        @Override
        protected Map<String, ShadowLines> initialValue() {
            return new HashMap<>();
        }
    };
    final ThreadPoolExecutor comparisons = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(COMPARE_QUEUE), r -> {
                Thread thread = new Thread(r, "tandem-compare");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());

    public Mirrors(UpstreamPools shadowPools, @Nullable MeterRegistry meters) {
        this.shadowPools = shadowPools;
        this.meters = meters;
    }

    /** The mirrors' own connection pools. */
    public UpstreamPools shadowPools() {
        return shadowPools;
    }

    /**
     * A mirror for this request, or null when it is not to be mirrored. Never for a request the route sent to the
     * mirror's own backend, a method not configured, a request left out by sampling, a body over the limit, or
     * when the loop already has the route's maximum of mirrors in flight (dropped and counted).
     *
     * @param head writes the head the mirrored request goes out with
     */
    public @Nullable Mirror start(EventLoop loop, GatewayConfig config, RouteConfig route, BackendConfig primary,
            HttpMethod method, String uri, ShadowHead head, long contentLength) {
        MirrorConfig mirror = route.mirror();
        if (mirror == null || mirror.to().equals(primary.name()) || !mirror.methods().contains(method.name())) {
            return null;
        }
        if (mirror.percent() < 100 && ThreadLocalRandom.current().nextDouble(100) >= mirror.percent()) {
            return null;
        }
        MirrorStats routeStats = stats(route, primary.name());
        if (contentLength > mirror.maxBody()) {
            drop(routeStats);
            return null;
        }
        int[] count = inFlight.get().computeIfAbsent(route.name(), r -> new int[1]);
        if (count[0] >= mirror.maxInFlight()) {
            drop(routeStats);
            return null;
        }
        count[0]++;
        ResponseComparator comparator = comparators.computeIfAbsent(mirror.compare(), ResponseComparator::new);
        boolean noiseSample = mirror.compare().noiseSamplePercent() > 0 && !mirror.mirrorsWrites()
                && ThreadLocalRandom.current().nextDouble(100) < mirror.compare().noiseSamplePercent();
        return new Mirror(this, routeStats, comparator, loop, route.name(), mirror, primary,
                config.backend(mirror.to()), method, uri, head, noiseSample);
    }

    /**
     * The loop's pipelined lines to a backend (see {@link ShadowLines}). A reload brings new config instances: the
     * backend then gets new lines, and the old ones finish the shadows they hold, referenced by their connections.
     */
    ShadowLines lines(EventLoop loop, BackendConfig backend) {
        Map<String, ShadowLines> byName = lines.get();
        ShadowLines backendLines = byName.get(backend.name());
        if (backendLines == null || backendLines.backend() != backend) {
            backendLines = new ShadowLines(loop, backend, shadowPools);
            byName.put(backend.name(), backendLines);
        }
        return backendLines;
    }

    /** A mirror is over: its place on the loop is free. */
    void finished(String route) {
        int[] count = inFlight.get().get(route);
        if (count != null && count[0] > 0) {
            count[0]--;
        }
    }

    void drop(MirrorStats routeStats) {
        count(routeStats, MirrorStats.Result.DROPPED);
    }

    /**
     * Counts a result in the route's stats and in {@code tandem.mirror.results}; the route's counters are looked up
     * once, then kept.
     */
    void count(MirrorStats routeStats, MirrorStats.Result result) {
        routeStats.results.incrementAndGet(result.ordinal());
        if (meters == null) {
            return;
        }
        Counter counter = routeStats.counters[result.ordinal()];
        if (counter == null) {
            // Several loops may race here: the registry hands each the same counter.
            counter = meters.counter("tandem.mirror.results", "route", routeStats.route, "result", result.tag);
            routeStats.counters[result.ordinal()] = counter;
        }
        counter.increment();
    }

    private MirrorStats stats(RouteConfig route, String primary) {
        MirrorStats existing = stats.get(route.name());
        if (existing != null && existing.primary.equals(primary) && existing.shadow.equals(route.mirror().to())) {
            return existing;
        }
        // Keyed by route; a new primary/shadow pairing (after a weight change) starts fresh counts.
        return stats.compute(route.name(), (name, old) -> old != null && old.primary.equals(primary)
                && old.shadow.equals(route.mirror().to()) ? old : new MirrorStats(name, primary, route.mirror().to()));
    }

    /** Every route's mirroring results so far. */
    public Map<String, MirrorStats> stats() {
        return stats;
    }

    @Override
    public void close() {
        comparisons.shutdownNow();
        shadowPools.close();
    }
}
