package dev.tandem.it;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One route's counters from {@code GET /api/mirrors}. They are cumulative over the gateway's life (the stack is
 * shared by every class), so tests compare a snapshot with a later one ({@link #since}).
 *
 * @param pairs the requests whose paired latency was recorded (the sum of {@code latency_ratio_histogram})
 */
record MirrorCounts(long mirrored, long matched, long mismatched, long noise, long dropped, long errors, long pairs) {

    /** From a route's entry; a missing entry (nothing considered for mirroring yet) counts as zeros. */
    static MirrorCounts of(JsonNode route) {
        long pairs = 0;
        for (JsonNode bucket : route.path("latency_ratio_histogram")) {
            pairs += bucket.path(1).asLong();
        }
        return new MirrorCounts(route.path("mirrored").asLong(), route.path("matched").asLong(),
                route.path("mismatched").asLong(), route.path("noise").asLong(), route.path("dropped").asLong(),
                route.path("errors").asLong(), pairs);
    }

    MirrorCounts since(MirrorCounts before) {
        return new MirrorCounts(mirrored - before.mirrored, matched - before.matched, mismatched - before.mismatched,
                noise - before.noise, dropped - before.dropped, errors - before.errors, pairs - before.pairs);
    }

    /** Mirrors whose outcome is known: compared (matched, mismatched, noise) or failed. */
    long finished() {
        return matched + mismatched + noise + errors;
    }
}
