package dev.tandem.config;

/**
 * A route's rate limit. Requests above it are answered 429 with {@code Retry-After} at once, never queued.
 *
 * @param requestsPerSecond admitted requests per second, 1 or more
 */
public record RateLimitConfig(int requestsPerSecond) {

    public RateLimitConfig {
        if (requestsPerSecond < 1) {
            throw new IllegalArgumentException("requests-per-second: " + requestsPerSecond + " (expected: 1 or more)");
        }
    }
}
