package dev.tandem.config;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Shadow traffic: a sampled share of a route's requests is sent to a second backend too, and the two responses are
 * compared. The client only ever gets the primary's response. Both backends share one database, so by default only
 * safe methods are mirrored; mirroring writes needs {@code methods} to name them explicitly (and backends that roll
 * back requests marked with the shadow header). In HOCON that takes {@code allow-writes = true} as well, which the
 * mapper checks; this record holds only its outcome, {@code methods}.
 *
 * <p>HOCON: a route's {@code mirror { to = fastapi }} block, merged over {@code tandem.route-defaults.mirror}.
 *
 * @param to          the shadow backend
 * @param percent     share of matching requests mirrored, 0..100 (may be fractional, e.g. 0.5)
 * @param methods     upper-case methods mirrored; default GET and HEAD
 * @param maxBody     request bodies larger than this (in bytes, 0 or more) are not mirrored
 * @param maxInFlight mirrors in flight per event loop, 1 or more; above it, new mirrors are dropped and counted
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
        Checks.percent("percent", percent);
        methods = Checks.methods("methods", methods);
        if (maxBody < 0) {
            throw Checks.invalid("maxBody", maxBody, Checks.NOT_NEGATIVE);
        }
        Checks.atLeast("maxInFlight", maxInFlight, 1, Checks.AT_LEAST_ONE);
        Objects.requireNonNull(compare, "compare");
    }

    /** Whether any of {@link #methods()} may change state: only then may a mirror write to the shared database. */
    public boolean mirrorsWrites() {
        return !Checks.SAFE_METHODS.containsAll(methods);
    }

    /**
     * Response comparison rules. Each normaliser absorbs one known, harmless difference between Django/DRF and
     * FastAPI/Pydantic output.
     *
     * @param ignoreFields         JSON fields ignored anywhere in the body (by key name, e.g. "updated_at"), or by
     *                             dotted path from the root (e.g. "results.0.id")
     * @param headers              response headers compared (lower-case names, stored lower-cased)
     * @param decimalAsString      "12.50" and 12.5 are equal
     * @param timestampZone        "...Z" and "...+00:00" are equal
     * @param nullEqualsMissing    a null field and an absent one are equal
     * @param redirectCodes        301/302/307/308 count as one status, for trailing-slash redirects
     * @param validationStatus     400 and 422 count as one status, for validation-error envelopes
     * @param noiseSamplePercent   share of mirrored requests also sent to the primary a second time: fields that
     *                             differ between two primary responses are noise, reported apart from
     *                             mismatches; 0..100
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
            for (String field : ignoreFields) {
                Checks.notBlank("ignoreFields", field);
            }
            ignoreFields = List.copyOf(ignoreFields);
            headers = headers.stream().map(h -> Checks.token("headers", Checks.lowerCase(h))).distinct().toList();
            Checks.percent("noiseSamplePercent", noiseSamplePercent);
        }
    }
}
