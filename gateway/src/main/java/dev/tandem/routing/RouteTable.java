package dev.tandem.routing;

import dev.tandem.config.GatewayConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.http1.HeaderLookup;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The immutable, ordered route table. The first route that matches takes the request. A reload builds a new table;
 * an exchange keeps the table it started with.
 */
public final class RouteTable {
    private final Route[] routes;

    private RouteTable(List<Route> routes) {
        this.routes = routes.toArray(Route[]::new);
    }

    public static RouteTable of(GatewayConfig config) {
        return new RouteTable(config.routes().stream().map(Route::of).toList());
    }

    public static RouteTable of(List<RouteConfig> routes) {
        return new RouteTable(routes.stream().map(Route::of).toList());
    }

    /**
     * The route for a request, or null when none matches (404).
     *
     * @param path the normalised path, without the query
     */
    public @Nullable Route route(HttpMethod method, String path, HttpHeaders headers) {
        return route(method, path, HeaderLookup.of(headers));
    }

    /** As {@link #route(HttpMethod, String, HttpHeaders)}, over any header source. */
    public @Nullable Route route(HttpMethod method, String path, HeaderLookup headers) {
        for (Route route : routes) {
            if (route.matches(method, path, headers)) {
                return route;
            }
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(routes);
    }
}
