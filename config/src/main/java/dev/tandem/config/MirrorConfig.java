package dev.tandem.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Shadow traffic: a sampled share of a route's requests is sent to a second backend too, and the two responses are
 * compared. The client only ever gets the primary's response. Both backends share one database, so by default only
 * safe methods are mirrored; mirroring writes needs {@code methods} to name them explicitly (and backends that roll
 * back requests marked with the shadow header).
 *
 * @param to          the shadow backend
 * @param percent     share of matching requests mirrored, 0..100 (may be fractional, e.g. 0.5)
 * @param methods     methods mirrored; default GET and HEAD
 * @param maxBody     request bodies larger than this are not mirrored
 * @param maxInFlight mirrors in flight per event loop; above it, new mirrors are dropped and counted
 * @param compare     how the two responses are compared
 */
public record MirrorConfig(
        String to,
        double percent,
        Set<String> methods,
        long maxBody,
        int maxInFlight,
        CompareConfig compare) {

    public MirrorConfig {
        Checks.notBlank("to", to);
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent: " + percent + " (expected: 0..100)");
        }
        methods = Set.copyOf(methods);
        if (maxBody < 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("max-body >= 0 and max-in-flight >= 1 expected");
        }
        Objects.requireNonNull(compare, "compare");
    }

    /**
     * Response comparison rules. Each normaliser absorbs one known, harmless difference between Django/DRF and
     * FastAPI/Pydantic output.
     *
     * @param ignoreFields         JSON fields ignored anywhere in the body (by key name, e.g. "updated_at"), or by
     *                             dotted path from the root (e.g. "results.0.id")
     * @param headers              response headers compared (lower-case names)
     * @param decimalAsString      "12.50" and 12.5 are equal
     * @param timestampZone        "...Z" and "...+00:00" are equal
     * @param nullEqualsMissing    a null field and an absent one are equal
     * @param redirectCodes        301/302/307/308 count as one status, for trailing-slash redirects
     * @param validationStatus     400 and 422 count as one status, for validation-error envelopes
     * @param noiseSamplePercent   share of mirrored requests also sent to the primary a second time: fields that
     *                             differ between two primary responses are noise, reported apart from mismatches
     */
    public record CompareConfig(
            List<String> ignoreFields,
            List<String> headers,
            boolean decimalAsString,
            boolean timestampZone,
            boolean nullEqualsMissing,
            boolean redirectCodes,
            boolean validationStatus,
            double noiseSamplePercent) {

        public CompareConfig {
            ignoreFields = List.copyOf(ignoreFields);
            headers = List.copyOf(headers);
        }
    }
}
