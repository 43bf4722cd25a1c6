package dev.tandem.config;

/**
 * Per-route, per-backend metrics (Micrometer, exposed for Prometheus on the admin listener).
 *
 * @param enabled whether exchanges are recorded; off only to measure what recording costs
 */
public record MetricsConfig(boolean enabled) {
}
