package dev.tandem.routing;

import dev.tandem.config.MatchConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.traffic.Split;
import dev.tandem.http1.HeaderLookup;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route: the predicate of a {@link RouteConfig} in the form the hot path wants, and its split.
 */
public final class Route {
    private final String name;
    private final RouteConfig config;
    private final Split split;
    private final @Nullable String exactPath;
    private final @Nullable String prefix;
    private final @Nullable Pattern regex;
    private final Set<String> methods;
    private final List<MatchConfig.HeaderMatch> headers;

    private Route(RouteConfig config) {
        MatchConfig match = config.match();
        this.name = config.name();
        this.config = config;
        this.split = Split.of(config);
        this.exactPath = match.path();
        this.prefix = match.prefix();
        this.regex = match.regex();
        this.methods = match.methods();
        this.headers = match.headers();
    }

    public static Route of(RouteConfig config) {
        return new Route(config);
    }

    public String name() {
        return name;
    }

    /** The route as configured (weights as of the last change). */
    public RouteConfig config() {
        return config;
    }

    /** Picks the backend of each request. */
    public Split split() {
        return split;
    }

    /**
     * Whether this route takes a request.
     *
     * @param path an already normalised path, without the query
     */
    boolean matches(HttpMethod method, String path, HeaderLookup requestHeaders) {
        if (!matchesPath(path)) {
            return false;
        }
        if (!methods.isEmpty() && !methods.contains(method.name())) {
            return false;
        }
        for (int i = 0; i < headers.size(); i++) {
            MatchConfig.HeaderMatch header = headers.get(i);
            String value = requestHeaders.get(header.name());
            if (value == null || (header.value() != null && !header.value().equals(value))) {
                return false;
            }
        }
        return true;
    }

    private boolean matchesPath(String path) {
        if (exactPath != null) {
            return exactPath.equals(path);
        }
        if (prefix != null) {
            return matchesPrefix(prefix, path);
        }
        return regex != null && regex.matcher(path).matches();
    }

    /** Segment-aware: {@code /admin} takes {@code /admin} and {@code /admin/x}, never {@code /administrator}. */
    static boolean matchesPrefix(String prefix, String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        return path.length() == prefix.length()
                || prefix.endsWith("/")
                || path.charAt(prefix.length()) == '/';
    }

    @Override
    public String toString() {
        return "Route[" + name + " -> " + config.weights() + "]";
    }
}
