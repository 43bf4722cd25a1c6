package dev.tandem.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The resolved configuration as a person reads it, for {@code tandem --check-config}: every effective value, the
 * backends with their timeouts, pools and fault handling, and the route table in the order it is tried, with each
 * route's weights, stickiness, fallback, deadline, rate limit and mirror. The admin token is never shown, only
 * whether one is set.
 */
public final class ConfigReport {

    private static final String[] DURATION_UNITS = {"h", "m", "s", "ms", "us"};
    private static final long[] DURATION_FACTORS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
    private static final String[] SIZE_UNITS = {"g", "m", "k"};
    private static final long[] SIZE_FACTORS = {1L << 30, 1L << 20, 1L << 10};

    private ConfigReport() {
    }

    /**
     * Describes {@code config} over several lines, ending with a newline. For example:
     * <pre>
     * routes (first match wins):
     *   [0] admin     prefix /admin                       -&gt; django
     *   [1] products  prefix /api/products  methods GET   -&gt; django 90% / fastapi 10%
     *                                                        sticky cookie sessionid, fallback fastapi, timeout 10s
     * </pre>
     */
    public static String describe(GatewayConfig config) {
        StringBuilder out = new StringBuilder();
        ListenerConfig listen = config.listen();
        line(out, "listen", address(listen.host(), listen.port())
                + ", event loops " + (listen.eventLoops() == 0 ? "one per core" : listen.eventLoops())
                + ", max connections " + listen.maxConnections());
        line(out, "", "idle timeout " + duration(listen.idleTimeout())
                + ", request header timeout " + duration(listen.requestHeaderTimeout())
                + ", drain timeout " + duration(listen.drainTimeout()));
        AdminConfig admin = config.admin();
        line(out, "admin", address(admin.host(), admin.port())
                + ", token " + (admin.token() == null ? "none" : "set (redacted)"));
        LimitsConfig limits = config.limits();
        line(out, "limits", "initial line " + size(limits.maxInitialLineLength())
                + ", header " + size(limits.maxHeaderSize())
                + ", request body " + size(limits.maxRequestBodySize()));
        ProxyConfig proxy = config.proxy();
        line(out, "proxy", "request id header " + proxy.requestIdHeader()
                + ", preserve host " + (proxy.preserveHost() ? "yes" : "no")
                + ", backend header " + (proxy.backendHeader() == null ? "off" : proxy.backendHeader()));
        line(out, "access log", config.accessLog().enabled() ? "on" : "off");
        line(out, "metrics", config.metrics().enabled() ? "on" : "off");
        TrafficConfig traffic = config.traffic();
        line(out, "traffic", "override header " + (traffic.overrideHeader() == null ? "off" : traffic.overrideHeader())
                + ", state file " + (traffic.stateFile() == null ? "none (in memory)" : traffic.stateFile()));

        out.append('\n').append("backends:\n");
        List<String[]> backendRows = new ArrayList<>();
        for (BackendConfig backend : config.backends().values()) {
            PoolConfig pool = backend.pool();
            backendRows.add(new String[] {
                    backend.name(),
                    backend.url() + " (" + address(backend.host(), backend.port()) + ")",
                    "connect " + duration(backend.connectTimeout())
                            + ", response " + duration(backend.responseTimeout())
                            + ", pool per event loop " + pool.maxConnections() + " connections, "
                            + pool.maxPending() + " pending, idle " + duration(pool.idleTimeout())});
            for (String detail : resilience(backend.resilience())) {
                backendRows.add(new String[] {"", "", detail});
            }
        }
        table(out, backendRows);

        out.append('\n').append("routes (first match wins):\n");
        List<String[]> routeRows = new ArrayList<>();
        List<RouteConfig> routes = config.routes();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            routeRows.add(new String[] {"[" + i + "]", route.name(), match(route.match()), "-> " + weights(route)});
            for (String detail : details(route)) {
                routeRows.add(new String[] {"", "", "", "   " + detail});
            }
        }
        table(out, routeRows);
        return out.toString();
    }

    /** A backend's fault handling, one line each: circuit breaker; bulkhead and retry; health check. */
    static List<String> resilience(ResilienceConfig resilience) {
        ResilienceConfig.CircuitBreakerConfig breaker = resilience.circuitBreaker();
        String breakerText = !breaker.enabled() ? "circuit breaker off"
                : "circuit breaker opens when " + breaker.failureRateThreshold() + "% failed or "
                        + breaker.slowCallRateThreshold() + "% took over " + duration(breaker.slowCallDuration())
                        + " of the last " + breaker.slidingWindowSize() + " calls (at least "
                        + breaker.minimumCalls() + "), stays open " + duration(breaker.waitInOpen()) + ", then "
                        + breaker.halfOpenCalls() + " probes";
        ResilienceConfig.RetryConfig retry = resilience.retry();
        String retryText = !retry.enabled() ? "retry off"
                : "retry up to " + retry.maxAttempts() + " attempts of " + methods(retry.methods()) + ", backoff "
                        + duration(retry.backoff()) + ".." + duration(retry.maxBackoff()) + ", budget "
                        + retry.budgetPercent() + "%";
        String bulkhead = resilience.hasBulkhead() ? "bulkhead " + resilience.maxConcurrent() + " in flight"
                : "bulkhead off";
        ResilienceConfig.HealthCheckConfig check = resilience.healthCheck();
        String checkText = check == null ? "health check off"
                : "health check GET " + check.path() + " every " + duration(check.interval()) + ", timeout "
                        + duration(check.timeout()) + ", down after " + check.unhealthyAfter() + " failed, up after "
                        + check.healthyAfter() + " passed";
        return List.of(breakerText, bulkhead + ", " + retryText, checkText);
    }

    /** Where a route sends requests: {@code django}, or {@code django 90% / fastapi 10%} when it splits. */
    static String weights(RouteConfig route) {
        if (!route.isSplit()) {
            return route.backend();
        }
        return route.weights().entrySet().stream()
                .map(weight -> weight.getKey() + " " + weight.getValue() + "%")
                .collect(Collectors.joining(" / "));
    }

    /** A route's other settings, only those that are on: stickiness, fallback, deadline and rate limit; mirror. */
    static List<String> details(RouteConfig route) {
        List<String> details = new ArrayList<>();
        List<String> traffic = new ArrayList<>();
        StickyConfig sticky = route.sticky();
        switch (sticky.kind()) {
            case COOKIE -> traffic.add("sticky cookie " + sticky.name());
            case HEADER -> traffic.add("sticky header " + sticky.name());
            case CLIENT_IP -> traffic.add("sticky client ip");
            case NONE -> {
                // Nothing to show.
            }
        }
        if (route.fallback() != null) {
            traffic.add("fallback " + route.fallback());
        }
        if (route.timeout() != null) {
            traffic.add("timeout " + duration(route.timeout()));
        }
        if (route.rateLimit() != null) {
            traffic.add("rate limit " + route.rateLimit().requestsPerSecond() + "/s");
        }
        if (!traffic.isEmpty()) {
            details.add(String.join(", ", traffic));
        }
        MirrorConfig mirror = route.mirror();
        if (mirror != null) {
            details.add("mirror " + percent(mirror.percent()) + " of " + methods(mirror.methods()) + " to "
                    + mirror.to() + ", max body " + size(mirror.maxBody()) + ", " + mirror.maxInFlight()
                    + " in flight per event loop");
            details.add("  compare " + compare(mirror.compare()));
        }
        return details;
    }

    private static String compare(MirrorConfig.CompareConfig compare) {
        List<String> parts = new ArrayList<>();
        parts.add("headers " + (compare.headers().isEmpty() ? "none" : String.join(",", compare.headers())));
        if (!compare.ignoreFields().isEmpty()) {
            parts.add("ignoring " + String.join(",", compare.ignoreFields()));
        }
        Map<String, Boolean> normalisers = new LinkedHashMap<>();
        normalisers.put("decimal-as-string", compare.decimalAsString());
        normalisers.put("timestamp-zone", compare.timestampZone());
        normalisers.put("null-equals-missing", compare.nullEqualsMissing());
        normalisers.put("redirect-codes", compare.redirectCodes());
        normalisers.put("validation-status", compare.validationStatus());
        List<String> off = normalisers.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        parts.add(off.isEmpty() ? "all normalisers on" : "normalisers off: " + String.join(",", off));
        parts.add("noise sample " + percent(compare.noiseSamplePercent()));
        return String.join(", ", parts);
    }

    private static String methods(Set<String> methods) {
        return methods.isEmpty() ? "no method" : String.join(",", new TreeSet<>(methods));
    }

    /** {@code 100%}, {@code 0.5%}: no trailing zeros. */
    static String percent(double percent) {
        return BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString() + "%";
    }

    /**
     * One route's predicate, as the report, the admin API and the dashboard show it:
     * {@code prefix /api  methods GET,POST  header X-Api-Key}.
     */
    public static String match(MatchConfig match) {
        StringBuilder text = new StringBuilder();
        if (match.path() != null) {
            text.append("path ").append(match.path());
        } else if (match.prefix() != null) {
            text.append("prefix ").append(match.prefix());
        } else if (match.regex() != null) {
            text.append("regex ").append(anchored(match.regex()));
        }
        if (!match.methods().isEmpty()) {
            text.append("  methods ").append(String.join(",", new TreeSet<>(match.methods())));
        }
        for (MatchConfig.HeaderMatch header : match.headers()) {
            text.append("  header ").append(header.name());
            if (header.value() != null) {
                text.append(": ").append(header.value());
            }
        }
        if (match.isCatchAll()) {
            text.append("  (catch-all)");
        }
        return text.toString();
    }

    /** The regex as the whole path must match it: {@code ^...$}, grouped when it has alternatives. */
    private static String anchored(Pattern regex) {
        String pattern = regex.pattern();
        if (pattern.startsWith("^")) {
            pattern = pattern.substring(1);
        }
        if (pattern.endsWith("$") && !pattern.endsWith("\\$")) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        return pattern.contains("|") ? "^(?:" + pattern + ")$" : "^" + pattern + "$";
    }

    private static void line(StringBuilder out, String label, String text) {
        out.append(String.format("%-11s %s%n", label, text));
    }

    /** Rows with their columns padded to the widest cell; the last column is not padded. */
    private static void table(StringBuilder out, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String address(String host, int port) {
        boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        return (bareIpv6 ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}: the largest unit that divides the duration exactly. */
    static String duration(Duration duration) {
        long nanos = duration.toNanos();
        for (int i = 0; i < DURATION_UNITS.length; i++) {
            if (nanos % DURATION_FACTORS[i] == 0) {
                return nanos / DURATION_FACTORS[i] + DURATION_UNITS[i];
            }
        }
        return nanos + "ns";
    }

    /** {@code 8k}, {@code 100m}: HOCON's binary units, or bytes when none divides exactly. */
    static String size(long bytes) {
        for (int i = 0; i < SIZE_UNITS.length; i++) {
            if (bytes % SIZE_FACTORS[i] == 0) {
                return bytes / SIZE_FACTORS[i] + SIZE_UNITS[i];
            }
        }
        return bytes + " bytes";
    }
}
