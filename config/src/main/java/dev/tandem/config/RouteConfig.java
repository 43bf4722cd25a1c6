package dev.tandem.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One route: which requests it takes and which backend, or which weighted split of backends, serves them.
 *
 * <p>Users write either {@code backend = django} or {@code split { django = 90, fastapi = 10 }}; both map to
 * {@link #weights()}, the first as {@code {django=100}}.
 *
 * @param name      unique name; the {@code route} metric tag
 * @param match     the request predicate
 * @param weights   backend name to weight, 0..100, summing to 100, in declared order; never empty
 * @param sticky    how a client keeps its backend when the route is split
 * @param fallback  backend that takes safe requests when the chosen one's circuit is open or it refuses; or null
 * @param timeout   overall deadline of an exchange on this route (retries included), positive, or null for the
 *                  backend's response timeout alone
 * @param rateLimit requests per second admitted on this route, or null for no limit
 * @param mirror    shadow traffic and response comparison, or null
 */
public record RouteConfig(
        String name,
        MatchConfig match,
        Map<String, Integer> weights,
        StickyConfig sticky,
        @Nullable String fallback,
        @Nullable Duration timeout,
        @Nullable RateLimitConfig rateLimit,
        @Nullable MirrorConfig mirror) {

    public RouteConfig {
        Checks.notBlank("name", name);
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(sticky, "sticky");
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("weights: empty (expected: at least one backend)");
        }
        int sum = 0;
        for (Map.Entry<String, Integer> weight : weights.entrySet()) {
            Checks.notBlank("weights", weight.getKey());
            if (weight.getValue() < 0 || weight.getValue() > 100) {
                throw new IllegalArgumentException("weights." + weight.getKey() + ": " + weight.getValue()
                        + " (expected: 0..100)");
            }
            sum += weight.getValue();
        }
        if (sum != 100) {
            throw new IllegalArgumentException("weights: sum " + sum + " (expected: 100)");
        }
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        if (fallback != null) {
            Checks.notBlank("fallback", fallback);
        }
        if (timeout != null) {
            Checks.positive("timeout", timeout);
        }
    }

    /** A route served by one backend, with no other features: the common case, and handy in tests. */
    public static RouteConfig of(String name, MatchConfig match, String backend) {
        return new RouteConfig(name, match, Map.of(backend, 100), StickyConfig.NONE, null, null, null, null);
    }

    /**
     * The backend with the largest weight (the first declared, on a tie): the one a route "lives on" for reports,
     * and the primary when it mirrors.
     */
    public String backend() {
        String best = null;
        int bestWeight = -1;
        for (Map.Entry<String, Integer> weight : weights.entrySet()) {
            if (weight.getValue() > bestWeight) {
                best = weight.getKey();
                bestWeight = weight.getValue();
            }
        }
        return best;
    }

    /** Whether more than one backend can serve this route. */
    public boolean isSplit() {
        return weights.size() > 1;
    }

    /** The same route with other weights (a runtime change); everything else kept. */
    public RouteConfig withWeights(Map<String, Integer> newWeights) {
        return new RouteConfig(name, match, newWeights, sticky, fallback, timeout, rateLimit, mirror);
    }
}
