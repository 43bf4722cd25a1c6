package dev.tandem.config;

/**
 * The structured access log: one JSON line per exchange on the {@code tandem.access} logger.
 *
 * @param enabled whether lines are written
 */
public record AccessLogConfig(boolean enabled) {
}
