package dev.tandem.config;

import java.time.Duration;
import java.util.Set;

/** Placeholder defaults until the resilience section is mapped from HOCON. */
final class ResilienceDefaults {
    static final ResilienceConfig NONE = new ResilienceConfig(
            new ResilienceConfig.CircuitBreakerConfig(false, 50, 100, Duration.ofSeconds(5), 50, 20,
                    Duration.ofSeconds(10), 5),
            0,
            new ResilienceConfig.RetryConfig(2, Set.of("GET", "HEAD", "OPTIONS"), Duration.ofMillis(25),
                    Duration.ofMillis(250), 20),
            null);

    private ResilienceDefaults() {
    }
}
