package dev.tandem.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Gateway-wide traffic shifting settings.
 *
 * @param overrideHeader request header that picks the backend of a split route for testing
 *                       (e.g. {@code X-Tandem-Backend: fastapi}); null (or empty, stored as null) turns it off, which
 *                       is the default
 * @param stateFile      where runtime weight changes are kept, so that they survive a restart; null keeps them in
 *                       memory only. The mapper resolves a relative path in the file against the config file's
 *                       directory ({@link ConfigLoader#load(Path)}) or the working directory ({@link
 *                       ConfigLoader#parse(String)}), so it is always absolute here
 */
public record TrafficConfig(@Nullable String overrideHeader, @Nullable Path stateFile) {

    /** Traffic shifting with neither an override header nor a state file: the defaults. */
    public static final TrafficConfig NONE = new TrafficConfig(null, null);

    public TrafficConfig {
        if (overrideHeader != null && overrideHeader.isEmpty()) {
            overrideHeader = null;
        }
        if (overrideHeader != null) {
            Checks.token("overrideHeader", overrideHeader);
        }
    }
}
