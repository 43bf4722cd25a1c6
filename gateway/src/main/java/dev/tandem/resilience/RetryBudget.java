package dev.tandem.resilience;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps retries at a share of requests, so that retries cannot multiply load during an outage: every request earns
 * {@code percent / 100} of a retry token, every retry spends one, and the bucket holds at most {@link #MAX_TOKENS}.
 * A small reserve lets the first retries of a quiet backend through. Lock-free: tokens are kept in thousandths.
 */
public final class RetryBudget {
    static final int MAX_TOKENS = 10;
    private static final long SCALE = 1000;

    private final long earnPerRequest;
    private final AtomicLong milliTokens = new AtomicLong(MAX_TOKENS * SCALE);

    public RetryBudget(int percent) {
        this.earnPerRequest = percent * SCALE / 100;
    }

    /** A request was sent: it earns part of a retry. */
    public void onRequest() {
        if (earnPerRequest == 0) {
            return;
        }
        milliTokens.updateAndGet(tokens -> Math.min(MAX_TOKENS * SCALE, tokens + earnPerRequest));
    }

    /** Spends a retry token; false when the budget is spent and the retry must not happen. */
    public boolean tryRetry() {
        if (earnPerRequest == 0) {
            return false;
        }
        while (true) {
            long tokens = milliTokens.get();
            if (tokens < SCALE) {
                return false;
            }
            if (milliTokens.compareAndSet(tokens, tokens - SCALE)) {
                return true;
            }
        }
    }

    /** Whole retries available now. */
    public long available() {
        return milliTokens.get() / SCALE;
    }
}
