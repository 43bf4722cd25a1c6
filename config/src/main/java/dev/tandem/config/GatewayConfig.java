package dev.tandem.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A whole, validated gateway configuration. Immutable; a reload builds a new one.
 *
 * @param listen   the client-facing listener
 * @param admin    the admin listener (metrics, health, runtime changes)
 * @param limits   request size limits and their statuses
 * @param proxy    header rewriting rules applied to every proxied exchange
 * @param backends the upstreams by name, in declared order
 * @param routes   the route table, in declared order; the first match wins
 * @param accessLog the structured access log
 * @param metrics   per-route, per-backend metrics
 * @param traffic   traffic shifting: the override header and where runtime changes are kept
 */
public record GatewayConfig(
        ListenerConfig listen,
        AdminConfig admin,
        LimitsConfig limits,
        ProxyConfig proxy,
        Map<String, BackendConfig> backends,
        List<RouteConfig> routes,
        AccessLogConfig accessLog,
        MetricsConfig metrics,
        TrafficConfig traffic) {

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(traffic, "traffic");
        // Copy into unmodifiable collections that keep the declared order.
        backends = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(backends));
        routes = List.copyOf(routes);
    }

    /** The backend a route names; validation guarantees it exists. */
    public BackendConfig backend(String name) {
        BackendConfig backend = backends.get(name);
        if (backend == null) {
            throw new IllegalArgumentException("no backend named " + name);
        }
        return backend;
    }

    /** The same configuration with another route table (runtime weight changes); validated by the caller. */
    public GatewayConfig withRoutes(List<RouteConfig> newRoutes) {
        return new GatewayConfig(listen, admin, limits, proxy, backends, newRoutes, accessLog, metrics, traffic);
    }
}
