package dev.tandem.resilience;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.ResilienceConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A backend's protections: circuit breaker, bulkhead, retry budget and health. Used without blocking, from any
 * event loop: {@link #admit()} when an exchange picks the backend, then exactly one {@link #complete} for each
 * admission. All of these are thread-safe (Resilience4j's state machines are lock-free or CAS-based).
 */
public final class UpstreamGuard {

    /** Why a backend did not take an exchange. */
    public enum Admission {
        ADMITTED, CIRCUIT_OPEN, BULKHEAD_FULL, UNHEALTHY;

        /** The reason as a metric tag and a message fragment. */
        public String reason() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final BackendConfig backend;
    private final @Nullable CircuitBreaker circuitBreaker;
    private final @Nullable Bulkhead bulkhead;
    private final RetryBudget retryBudget;
    private volatile boolean healthy = true;

    UpstreamGuard(BackendConfig backend, @Nullable CircuitBreaker circuitBreaker, @Nullable Bulkhead bulkhead) {
        this.backend = backend;
        this.circuitBreaker = circuitBreaker;
        this.bulkhead = bulkhead;
        this.retryBudget = new RetryBudget(backend.resilience().retry().budgetPercent());
    }

    public BackendConfig backend() {
        return backend;
    }

    public ResilienceConfig config() {
        return backend.resilience();
    }

    /** Takes the permits an exchange needs, or none and says why. */
    public Admission admit() {
        if (!healthy) {
            return Admission.UNHEALTHY;
        }
        if (circuitBreaker != null && !circuitBreaker.tryAcquirePermission()) {
            return Admission.CIRCUIT_OPEN;
        }
        if (bulkhead != null && !bulkhead.tryAcquirePermission()) {
            if (circuitBreaker != null) {
                circuitBreaker.releasePermission();
            }
            return Admission.BULKHEAD_FULL;
        }
        retryBudget.onRequest();
        return Admission.ADMITTED;
    }

    /**
     * Gives back what {@link #admit()} took and tells the circuit breaker how it went.
     *
     * @param sent    whether a request reached the wire; if not, the breaker forgets the call
     * @param failure whether the call failed (connect error, timeout, reset, 5xx)
     */
    public void complete(boolean sent, boolean failure, long durationNanos) {
        if (bulkhead != null) {
            bulkhead.onComplete();
        }
        if (circuitBreaker != null) {
            if (!sent) {
                circuitBreaker.releasePermission();
            } else if (failure) {
                circuitBreaker.onError(durationNanos, TimeUnit.NANOSECONDS, BackendFailure.INSTANCE);
            } else {
                circuitBreaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /** How long an open circuit stays open, for Retry-After. */
    public long retryAfterSeconds() {
        return Math.max(1, backend.resilience().circuitBreaker().waitInOpen().toSeconds());
    }

    public @Nullable CircuitBreaker circuitBreaker() {
        return circuitBreaker;
    }

    public @Nullable Bulkhead bulkhead() {
        return bulkhead;
    }

    public boolean healthy() {
        return healthy;
    }

    void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** The throwable handed to the breaker: the real cause is in the access log, the breaker only counts. */
    static final class BackendFailure extends RuntimeException {
        static final BackendFailure INSTANCE = new BackendFailure();

        private BackendFailure() {
            super("backend failure", null, false, false);
        }
    }
}
