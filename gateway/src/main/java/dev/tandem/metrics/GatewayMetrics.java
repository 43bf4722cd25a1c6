package dev.tandem.metrics;

import dev.tandem.config.GatewayConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.upstream.UpstreamPool;
import dev.tandem.upstream.UpstreamPools;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Tandem's meters: names, tags and the per-(route, backend) handles the hot path records into. Tag values come
 * only from the route table and closed enumerations, never from request data: a flood of random paths all counts
 * under {@link #UNMATCHED}.
 */
public final class GatewayMetrics {
    public static final String REQUESTS = "tandem.requests";
    public static final String ACTIVE = "tandem.requests.active";
    public static final String REQUEST_BYTES = "tandem.request.bytes";
    public static final String RESPONSE_BYTES = "tandem.response.bytes";
    public static final String UPSTREAM_TTFB = "tandem.upstream.ttfb";
    public static final String UPSTREAM_CONNECT = "tandem.upstream.connect";
    public static final String UPSTREAM_CONNECTIONS = "tandem.upstream.connections";
    public static final String EVENTLOOP_PENDING = "tandem.eventloop.pending.tasks";
    public static final String FALLBACKS = "tandem.fallbacks";
    public static final String RETRIES = "tandem.retries";
    public static final String REJECTIONS = "tandem.rejections";
    /** The route and backend tag of requests that matched no route or were rejected before routing. */
    public static final String UNMATCHED = "unmatched";
    public static final String NO_BACKEND = "none";
    /** A guard against a bug that would leak request data into tags: far above any real route table. */
    private static final int MAX_ROUTE_TAG_VALUES = 1000;

    private final MeterRegistry registry;
    private final Map<String, Map<String, PairMetrics>> pairs = new ConcurrentHashMap<>();
    private final Map<String, Timer> connectTimers = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.config().meterFilter(
                MeterFilter.maximumAllowableTags(REQUESTS, "route", MAX_ROUTE_TAG_VALUES, MeterFilter.deny()));
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The meters of a route on a backend; cheap, and safe from any thread. */
    public PairMetrics pair(String route, String backend) {
        Map<String, PairMetrics> byBackend = pairs.get(route);
        if (byBackend == null) {
            byBackend = pairs.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
        }
        PairMetrics pair = byBackend.get(backend);
        if (pair == null) {
            pair = byBackend.computeIfAbsent(backend, b -> new PairMetrics(registry, route, b));
        }
        return pair;
    }

    /** The pair for requests that never reached a backend. */
    public PairMetrics unmatched() {
        return pair(UNMATCHED, NO_BACKEND);
    }

    /** Creates the meters of every route × backend of a config up front, so the dashboard shows them at zero. */
    public void register(GatewayConfig config) {
        for (RouteConfig route : config.routes()) {
            for (String backend : route.weights().keySet()) {
                pair(route.name(), backend);
            }
            if (route.mirror() != null) {
                pair(route.name(), route.mirror().to());
            }
            if (route.fallback() != null) {
                pair(route.name(), route.fallback());
            }
        }
    }

    /** The pairs recorded so far, for the admin API. */
    public Map<String, Map<String, PairMetrics>> pairs() {
        return pairs;
    }

    /** A request went to another backend than the one chosen: circuit open, bulkhead full, down, or refused. */
    public void fallback(String route, String from, String to, String reason) {
        registry.counter(FALLBACKS, "route", route, "from", from, "to", to, "reason", reason).increment();
    }

    /** A request was sent again (connect failure, stale keep-alive connection). */
    public void retry(String backend, String reason) {
        registry.counter(RETRIES, "backend", backend, "reason", reason).increment();
    }

    /** A request was turned away by a protection: circuit open, bulkhead full, backend down, rate limited. */
    public void rejection(String route, String backend, String reason) {
        registry.counter(REJECTIONS, "route", route, "backend", backend, "reason", reason).increment();
    }

    /** Records a connection attempt's duration. */
    public void connected(String backend, long nanos, boolean success) {
        connectTimers.computeIfAbsent(backend + (success ? "" : "\u0000"), key -> Timer.builder(UPSTREAM_CONNECT)
                        .description("Time to establish an upstream connection")
                        .tags("backend", backend, "outcome", success ? "success" : "failure")
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Gauges for the upstream pools, summed over event loops, per backend and state. */
    public void bindPools(UpstreamPools pools, Iterable<String> backends) {
        for (String backend : backends) {
            poolGauge(pools, backend, "active", UpstreamPool::active);
            poolGauge(pools, backend, "idle", UpstreamPool::idle);
            poolGauge(pools, backend, "pending", UpstreamPool::pending);
        }
    }

    private void poolGauge(UpstreamPools pools, String backend, String state, ToIntFunction<UpstreamPool> value) {
        Gauge.builder(UPSTREAM_CONNECTIONS, () -> {
            int[] sum = {0};
            pools.forEach((loop, pool) -> {
                if (pool.backend().name().equals(backend)) {
                    sum[0] += value.applyAsInt(pool);
                }
            });
            return sum[0];
        }).tags(Tags.of("backend", backend, "state", state))
                .description("Upstream connections per backend: active (in use), idle (pooled), pending (waiting)")
                .register(registry);
    }

    /** Tasks waiting in each event loop's queue: a loop that falls behind shows here first. */
    public void bindEventLoops(EventLoopGroup group) {
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i) instanceof SingleThreadEventExecutor loop) {
                Gauge.builder(EVENTLOOP_PENDING, loop, SingleThreadEventExecutor::pendingTasks)
                        .tag("loop", Integer.toString(i))
                        .description("Tasks queued on the event loop")
                        .register(registry);
            }
        }
    }
}
