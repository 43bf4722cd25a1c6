package dev.tandem.config;

import java.time.Duration;
import java.util.Objects;
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

    public ResilienceConfig {
        Objects.requireNonNull(circuitBreaker, "circuitBreaker");
        Checks.atLeast("maxConcurrent", maxConcurrent, 0, Checks.NOT_NEGATIVE);
        Objects.requireNonNull(retry, "retry");
    }

    /** Whether requests to the backend are limited by a bulkhead. */
    public boolean hasBulkhead() {
        return maxConcurrent > 0;
    }

    /**
     * A count-based circuit breaker (Resilience4j). While open, requests are answered 503 at once (or go to the
     * route's fallback), and after {@code waitInOpen} a few probes decide whether it closes again.
     *
     * @param enabled              whether the backend has one
     * @param failureRateThreshold percent of failed calls in the window that opens the circuit, 1..100
     * @param slowCallRateThreshold percent of slow calls that opens it, 1..100
     * @param slowCallDuration     a call slower than this is slow
     * @param slidingWindowSize    calls in the window, 1 or more
     * @param minimumCalls         calls needed before the rates count, 1..slidingWindowSize
     * @param waitInOpen           time open before half-open probes
     * @param halfOpenCalls        probe calls in half-open, 1 or more
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

        public CircuitBreakerConfig {
            Checks.range("failureRateThreshold", failureRateThreshold, 1, 100);
            Checks.range("slowCallRateThreshold", slowCallRateThreshold, 1, 100);
            Checks.positive("slowCallDuration", slowCallDuration);
            Checks.atLeast("slidingWindowSize", slidingWindowSize, 1, Checks.AT_LEAST_ONE);
            Checks.range("minimumCalls", minimumCalls, 1, slidingWindowSize);
            Checks.positive("waitInOpen", waitInOpen);
            Checks.atLeast("halfOpenCalls", halfOpenCalls, 1, Checks.AT_LEAST_ONE);
        }
    }

    /**
     * Retries of requests that cannot have had an effect: an idempotent method (of {@code methods}) whose request
     * could not reach the backend (connect failure, or a reused connection closed before any byte was sent back),
     * never after a response byte reached the client, never a request with a body larger than the buffer.
     *
     * @param maxAttempts attempts in all, 1..10; 1 means no retry
     * @param methods     upper-case methods that may be retried, all idempotent (RFC 9110 section 9.2.2); default GET,
     *                    HEAD, OPTIONS (PUT and DELETE only if listed); POST and PATCH are refused
     * @param backoff     first backoff, 0 or more; doubled each attempt, with full jitter
     * @param maxBackoff  backoff cap, at least {@code backoff}
     * @param budgetPercent retries allowed as a percentage of recent requests to the backend, so that retries cannot
     *                      multiply load during an outage; 0..100
     */
    public record RetryConfig(
            int maxAttempts,
            Set<String> methods,
            Duration backoff,
            Duration maxBackoff,
            int budgetPercent) {

        /** The most attempts a backend may be given: more only multiplies load on a backend that is failing. */
        public static final int MAX_ATTEMPTS = 10;

        public RetryConfig {
            Checks.range("maxAttempts", maxAttempts, 1, MAX_ATTEMPTS);
            methods = Checks.methods("methods", methods);
            for (String method : methods) {
                if (!Checks.IDEMPOTENT_METHODS.contains(method)) {
                    throw new IllegalArgumentException("methods: " + method + " " + Checks.NOT_RETRIED);
                }
            }
            Checks.notNegative("backoff", backoff);
            Checks.notNegative("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: at least backoff, "
                        + backoff + ")");
            }
            Checks.range("budgetPercent", budgetPercent, 0, 100);
        }

        /** Whether a failed request may be sent again at all. */
        public boolean enabled() {
            return maxAttempts > 1 && !methods.isEmpty() && budgetPercent > 0;
        }
    }

    /**
     * Active health checks: a GET to {@code path} every {@code interval}, off the event loops' hot path.
     *
     * @param path           the path, e.g. "/healthz"; starts with '/', appended to the backend's base path
     * @param interval       time between checks
     * @param timeout        a check slower than this fails; shorter than {@code interval}
     * @param unhealthyAfter consecutive failures that mark the backend down, 1 or more
     * @param healthyAfter   consecutive successes that mark it up again, 1 or more
     */
    public record HealthCheckConfig(
            String path,
            Duration interval,
            Duration timeout,
            int unhealthyAfter,
            int healthyAfter) {

        public HealthCheckConfig {
            Checks.absolutePath("path", path);
            Checks.positive("interval", interval);
            Checks.positive("timeout", timeout);
            if (timeout.compareTo(interval) >= 0) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: shorter than interval, "
                        + interval + ")");
            }
            Checks.atLeast("unhealthyAfter", unhealthyAfter, 1, Checks.AT_LEAST_ONE);
            Checks.atLeast("healthyAfter", healthyAfter, 1, Checks.AT_LEAST_ONE);
        }
    }
}
