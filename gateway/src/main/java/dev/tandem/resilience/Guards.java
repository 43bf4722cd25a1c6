package dev.tandem.resilience;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.ResilienceConfig;
import dev.tandem.config.RouteConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Every backend's {@link UpstreamGuard} and every route's rate limiter, built from config through Resilience4j
 * registries (whose tagged metrics keep their own names). A reload keeps the state of guards whose settings did not
 * change, so a reload does not close an open circuit.
 */
public final class Guards {
    private final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.ofDefaults();
    private final BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    private final RateLimiterRegistry rateLimiters = RateLimiterRegistry.ofDefaults();
    private final Map<String, UpstreamGuard> guards = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> routeLimits = new ConcurrentHashMap<>();

    public Guards(GatewayConfig config, @Nullable MeterRegistry meters) {
        update(config);
        if (meters != null) {
            TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuitBreakers).bindTo(meters);
            TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
            TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(meters);
        }
    }

    /** The guard of a backend. */
    public UpstreamGuard guard(String backend) {
        UpstreamGuard guard = guards.get(backend);
        if (guard == null) {
            throw new IllegalArgumentException("no backend named " + backend);
        }
        return guard;
    }

    /** A route's rate limiter, or null when it has none. */
    public @Nullable RateLimiter rateLimiter(String route) {
        return routeLimits.get(route);
    }

    public Map<String, UpstreamGuard> all() {
        return guards;
    }

    /** Brings guards and limiters in line with a (new) config; unchanged ones keep their state. */
    public synchronized void update(GatewayConfig config) {
        for (BackendConfig backend : config.backends().values()) {
            UpstreamGuard existing = guards.get(backend.name());
            if (existing == null || !existing.config().equals(backend.resilience())) {
                guards.put(backend.name(), build(backend, existing));
            }
        }
        guards.keySet().removeIf(name -> {
            if (config.backends().containsKey(name)) {
                return false;
            }
            circuitBreakers.remove(name);
            bulkheads.remove(name);
            return true;
        });
        for (RouteConfig route : config.routes()) {
            RateLimiter existing = routeLimits.get(route.name());
            if (route.rateLimit() == null) {
                if (existing != null) {
                    routeLimits.remove(route.name());
                    rateLimiters.remove(route.name());
                }
            } else if (existing == null
                    || existing.getRateLimiterConfig().getLimitForPeriod() != route.rateLimit().requestsPerSecond()) {
                rateLimiters.remove(route.name());
                // Never wait for a permit: an event loop must not block, excess is answered 429 at once.
                routeLimits.put(route.name(), rateLimiters.rateLimiter(route.name(), RateLimiterConfig.custom()
                        .limitForPeriod(route.rateLimit().requestsPerSecond())
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ZERO)
                        .build()));
            }
        }
        routeLimits.keySet().removeIf(name -> config.routes().stream().noneMatch(r -> r.name().equals(name)));
    }

    private UpstreamGuard build(BackendConfig backend, @Nullable UpstreamGuard previous) {
        String name = backend.name();
        ResilienceConfig.CircuitBreakerConfig cb = backend.resilience().circuitBreaker();
        circuitBreakers.remove(name);
        bulkheads.remove(name);
        CircuitBreaker circuitBreaker = null;
        if (cb.enabled()) {
            circuitBreaker = circuitBreakers.circuitBreaker(name, CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .slidingWindowSize(cb.slidingWindowSize())
                    .minimumNumberOfCalls(cb.minimumCalls())
                    .failureRateThreshold(cb.failureRateThreshold())
                    .slowCallRateThreshold(cb.slowCallRateThreshold())
                    .slowCallDurationThreshold(cb.slowCallDuration())
                    .waitDurationInOpenState(cb.waitInOpen())
                    .permittedNumberOfCallsInHalfOpenState(cb.halfOpenCalls())
                    .automaticTransitionFromOpenToHalfOpenEnabled(false)
                    .build());
        }
        Bulkhead bulkhead = null;
        if (backend.resilience().maxConcurrent() > 0) {
            bulkhead = bulkheads.bulkhead(name, BulkheadConfig.custom()
                    .maxConcurrentCalls(backend.resilience().maxConcurrent())
                    .maxWaitDuration(Duration.ZERO)
                    .build());
        }
        UpstreamGuard guard = new UpstreamGuard(backend, circuitBreaker, bulkhead);
        if (previous != null) {
            guard.healthy(previous.healthy());
        }
        return guard;
    }
}
