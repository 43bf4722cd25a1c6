package dev.tandem.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Gateway-wide traffic shifting settings.
 *
 * @param overrideHeader request header that picks the backend of a split route for testing
 *                       (e.g. {@code X-Tandem-Backend: fastapi}); null turns it off, which is the default
 * @param stateFile      where runtime weight changes are kept, so that they survive a restart; null keeps them in
 *                       memory only. A relative path is relative to the config file's directory
 */
public record TrafficConfig(@Nullable String overrideHeader, @Nullable Path stateFile) {
}
