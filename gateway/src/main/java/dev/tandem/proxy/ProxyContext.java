package dev.tandem.proxy;

import dev.tandem.config.GatewayConfig;
import dev.tandem.metrics.GatewayMetrics;
import dev.tandem.resilience.Guards;
import dev.tandem.traffic.Mirrors;
import dev.tandem.routing.RouteTable;
import dev.tandem.upstream.UpstreamPools;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * What every client connection shares: the current configuration and route table, the upstream pools, and whether
 * the gateway is draining. An exchange reads the snapshot once, when it starts, so a reload never changes the rules
 * of a request in flight.
 */
public final class ProxyContext {

    /** A configuration and the route table built from it, swapped together. */
    public record Snapshot(GatewayConfig config, RouteTable routes) {
        public static Snapshot of(GatewayConfig config) {
            return new Snapshot(config, RouteTable.of(config));
        }
    }

    private final AtomicReference<Snapshot> snapshot;
    private final UpstreamPools pools;
    private final @Nullable GatewayMetrics metrics;
    private final Guards guards;
    private final Mirrors mirrors;
    private volatile boolean draining;

    public ProxyContext(GatewayConfig config, UpstreamPools pools, @Nullable GatewayMetrics metrics, Guards guards,
            Mirrors mirrors) {
        this.snapshot = new AtomicReference<>(Snapshot.of(config));
        this.pools = pools;
        this.metrics = metrics;
        this.guards = guards;
        this.mirrors = mirrors;
    }

    /** Shadow traffic and response comparison. */
    public Mirrors mirrors() {
        return mirrors;
    }

    /** Circuit breakers, bulkheads, retry budgets, health and rate limits. */
    public Guards guards() {
        return guards;
    }

    /** The meters, or null when metrics are turned off. */
    public @Nullable GatewayMetrics metrics() {
        return metrics;
    }

    public Snapshot snapshot() {
        return snapshot.get();
    }

    /** Installs a new, already validated, configuration for the exchanges that start from now on. */
    public void install(GatewayConfig config) {
        guards.update(config);
        snapshot.set(Snapshot.of(config));
    }

    public UpstreamPools pools() {
        return pools;
    }

    public boolean isDraining() {
        return draining;
    }

    /** From now on, every connection closes after its current exchange. */
    public void startDraining() {
        draining = true;
    }
}
