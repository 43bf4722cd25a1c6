package dev.tandem.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The resolved configuration as a person reads it, for {@code tandem --check-config}: every effective value, the
 * backends with their timeouts and pools, and the route table in the order it is tried. The admin token is never
 * shown, only whether one is set.
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
     *   [0] admin   prefix /admin                                -&gt; django
     *   [1] api-v2  prefix /api/v2  methods GET,POST  header X-Api-Key  -&gt; fastapi
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
        }
        table(out, backendRows);

        out.append('\n').append("routes (first match wins):\n");
        List<String[]> routeRows = new ArrayList<>();
        List<RouteConfig> routes = config.routes();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            routeRows.add(new String[] {"[" + i + "]", route.name(), match(route.match()), "-> " + route.backend()});
        }
        table(out, routeRows);
        return out.toString();
    }

    /** One route's predicate: {@code prefix /api  methods GET,POST  header X-Api-Key}. */
    static String match(MatchConfig match) {
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
