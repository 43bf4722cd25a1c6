package dev.tandem.config;

import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A backend's fault handling: circuit breaker, bulkhead, retries and active health checks.
 *
 * @param circuitBreaker the backend's circuit breaker
 * @param maxConcurrent  requests in flight to the backend across all event loops; 0 means no bulkhead. Above it,
 *                       requests are answered 503 at once
 * @param retry          safe retries
 * @param healthCheck    active health checks, or null for none
 */
public record ResilienceConfig(
        CircuitBreakerConfig circuitBreaker,
        int maxConcurrent,
        RetryConfig retry,
        @Nullable HealthCheckConfig healthCheck) {

    /**
     * A count-based circuit breaker (Resilience4j). While open, requests are answered 503 at once (or go to the
     * route's fallback), and after {@code waitInOpen} a few probes decide whether it closes again.
     *
     * @param enabled              whether the backend has one
     * @param failureRateThreshold percent of failed calls in the window that opens the circuit, 1..100
     * @param slowCallRateThreshold percent of slow calls that opens it, 1..100
     * @param slowCallDuration     a call slower than this is slow
     * @param slidingWindowSize    calls in the window
     * @param minimumCalls         calls needed before the rates count
     * @param waitInOpen           time open before half-open probes
     * @param halfOpenCalls        probe calls in half-open
     */
    public record CircuitBreakerConfig(
            boolean enabled,
            int failureRateThreshold,
            int slowCallRateThreshold,
            Duration slowCallDuration,
            int slidingWindowSize,
            int minimumCalls,
            Duration waitInOpen,
            int halfOpenCalls) {
    }

    /**
     * Retries of requests that cannot have had an effect: an idempotent method (of {@code methods}) whose request
     * could not reach the backend (connect failure, or a reused connection closed before any byte was sent back),
     * never after a response byte reached the client, never a request with a body larger than the buffer.
     *
     * @param maxAttempts attempts in all, 1 means no retry
     * @param methods     methods that may be retried; default GET, HEAD, OPTIONS (PUT and DELETE only if listed)
     * @param backoff     first backoff; doubled each attempt, with full jitter
     * @param maxBackoff  backoff cap
     * @param budgetPercent retries allowed as a percentage of recent requests to the backend, so that retries cannot
     *                      multiply load during an outage
     */
    public record RetryConfig(
            int maxAttempts,
            Set<String> methods,
            Duration backoff,
            Duration maxBackoff,
            int budgetPercent) {

        public RetryConfig {
            methods = Set.copyOf(methods);
        }
    }

    /**
     * Active health checks: a GET to {@code path} every {@code interval}, off the event loops' hot path.
     *
     * @param path           the path, e.g. "/healthz"
     * @param interval       time between checks
     * @param timeout        a check slower than this fails
     * @param unhealthyAfter consecutive failures that mark the backend down
     * @param healthyAfter   consecutive successes that mark it up again
     */
    public record HealthCheckConfig(
            String path,
            Duration interval,
            Duration timeout,
            int unhealthyAfter,
            int healthyAfter) {
    }
}
