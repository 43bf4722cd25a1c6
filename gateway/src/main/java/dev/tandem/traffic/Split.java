package dev.tandem.traffic;

import dev.tandem.config.RouteConfig;
import dev.tandem.config.StickyConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import dev.tandem.http1.HeaderLookup;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Picks the backend of a route for one request, by weight.
 *
 * <p>A sticky client's key (cookie, header or address) is hashed to a point in [0, 10000). Backends own consecutive
 * ranges of that line in declared order, each as wide as its weight: with {@code django = 90, fastapi = 10},
 * django owns [0, 9000) and fastapi [9000, 10000). Raising fastapi to 20 moves its boundary to 8000: every client
 * that was on fastapi stays there, and only the clients in [8000, 9000) move. The hash depends on the key alone
 * (not on the route or the replica), so every gateway replica sends a client to the same backend, and at equal
 * weights a client sees the same backend on every split route.
 *
 * <p>Immutable: a weight change builds a new one.
 */
public final class Split {
    static final int POINTS = 10_000;

    private final String[] backends;
    /** Exclusive upper bound of each backend's range on the line, in declared order. */
    private final int[] bounds;
    private final StickyConfig sticky;
    private final String cookiePrefix;

    private Split(Map<String, Integer> weights, StickyConfig sticky) {
        this.backends = weights.keySet().toArray(String[]::new);
        this.bounds = new int[backends.length];
        int bound = 0;
        for (int i = 0; i < backends.length; i++) {
            bound += weights.get(backends[i]) * (POINTS / 100);
            bounds[i] = bound;
        }
        this.sticky = sticky;
        this.cookiePrefix = sticky.kind() == StickyConfig.Kind.COOKIE ? sticky.name() + "=" : "";
    }

    public static Split of(RouteConfig route) {
        return new Split(route.weights(), route.sticky());
    }

    /** Whether there is anything to choose. */
    public boolean isSingle() {
        return backends.length == 1;
    }

    /** The route's backends, in declared order. */
    public java.util.List<String> backends() {
        return java.util.List.of(backends);
    }

    /**
     * The backend for a request.
     *
     * @param headers       the request headers (for cookie and header keys)
     * @param clientAddress the client's address, for client-ip stickiness; may be null
     */
    public String choose(HttpHeaders headers, @Nullable String clientAddress) {
        return choose(HeaderLookup.of(headers), clientAddress);
    }

    /** As {@link #choose(HttpHeaders, String)}, over any header source. */
    public String choose(HeaderLookup headers, @Nullable String clientAddress) {
        if (backends.length == 1) {
            return backends[0];
        }
        String key = stickyKey(headers, clientAddress);
        int point = key == null ? ThreadLocalRandom.current().nextInt(POINTS) : point(key);
        return backendAt(point);
    }

    String backendAt(int point) {
        for (int i = 0; i < bounds.length; i++) {
            if (point < bounds[i]) {
                return backends[i];
            }
        }
        // Unreachable with weights summing to 100; the last backend with weight is the safe answer.
        return backends[backends.length - 1];
    }

    /** Whether the backend is one of the route's (even at weight 0); the override header may only pick those. */
    public boolean serves(String backend) {
        for (String candidate : backends) {
            if (candidate.equals(backend)) {
                return true;
            }
        }
        return false;
    }

    private @Nullable String stickyKey(HeaderLookup headers, @Nullable String clientAddress) {
        return switch (sticky.kind()) {
            case NONE -> null;
            case HEADER -> emptyToNull(headers.get(sticky.name()));
            case CLIENT_IP -> clientAddress;
            case COOKIE -> cookie(headers);
        };
    }

    /** The named cookie's value from the Cookie header(s), without decoding every cookie. */
    private @Nullable String cookie(HeaderLookup headers) {
        for (String header : headers.getAll("cookie")) {
            int start = 0;
            while (start < header.length()) {
                while (start < header.length() && (header.charAt(start) == ' ' || header.charAt(start) == ';')) {
                    start++;
                }
                int end = header.indexOf(';', start);
                if (end < 0) {
                    end = header.length();
                }
                if (end - start > cookiePrefix.length()
                        && header.regionMatches(start, cookiePrefix, 0, cookiePrefix.length())) {
                    return emptyToNull(header.substring(start + cookiePrefix.length(), end).trim());
                }
                start = end + 1;
            }
        }
        return null;
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** A stable point for a key: FNV-1a over its UTF-8 bytes, then a 64-bit finaliser so near keys spread. */
    static int point(String key) {
        long hash = 0xcbf29ce484222325L;
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return (int) Long.remainderUnsigned(hash, POINTS);
    }
}
