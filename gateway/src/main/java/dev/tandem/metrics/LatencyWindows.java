package dev.tandem.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Request counts, errors and a latency histogram over the last minute (60 one-second slots) and the last ten
 * minutes (60 ten-second slots), for the live dashboard. Prometheus gets the cumulative meters; this answers
 * "what is p99 right now" without a Prometheus server.
 *
 * <p>Recorded from every event loop without locks: each slot is a run of longs in one {@link AtomicLongArray};
 * a slot belongs to one time step, and the first writer of a new step clears it. A reader may see a slot half
 * cleared, which costs a sample, never a wrong order of magnitude. Latencies fall into log-scale buckets, four per
 * doubling from 50 µs, so a percentile is good to about 10%.
 */
public final class LatencyWindows {
    static final int BUCKETS = 88;
    private static final long FIRST_BUCKET_NANOS = 50_000;
    private static final int SUB_BUCKETS = 4;
    private static final int SLOTS = 60;
    /** Per slot: step, count, errors, then the histogram. */
    private static final int SLOT_WIDTH = 3 + BUCKETS;

    private final long createdNanos = System.nanoTime();
    private final Ring minute = new Ring(1_000_000_000L);
    private final Ring tenMinutes = new Ring(10_000_000_000L);

    /** Records one exchange. */
    public void record(long durationNanos, boolean error, long nowNanos) {
        int bucket = bucketOf(durationNanos);
        minute.record(bucket, error, nowNanos);
        tenMinutes.record(bucket, error, nowNanos);
    }

    /** The last minute, up to now. */
    public Summary lastMinute(long nowNanos) {
        return minute.summarize(nowNanos, nowNanos - createdNanos);
    }

    /** The last ten minutes, up to now. */
    public Summary lastTenMinutes(long nowNanos) {
        return tenMinutes.summarize(nowNanos, nowNanos - createdNanos);
    }

    /**
     * The bucket of a duration: 0 up to 50 µs, then {@code 1 + floor(4 * log2(nanos / 50 µs))}, capped. Found by a
     * binary search over the buckets' first durations, worked out once from that formula, since two logarithms per
     * request cost more than the rest of the recording.
     */
    static int bucketOf(long nanos) {
        if (nanos <= FIRST_BUCKET_NANOS) {
            return 0;
        }
        int low = 1;
        int high = BUCKETS - 1;
        while (low < high) { // the last bucket whose first duration is <= nanos
            int mid = (low + high + 1) >>> 1;
            if (BUCKET_STARTS[mid] <= nanos) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** BUCKET_STARTS[b]: the shortest duration in bucket b (b >= 1). */
    private static final long[] BUCKET_STARTS = bucketStarts();

    private static long[] bucketStarts() {
        long[] starts = new long[BUCKETS];
        starts[0] = 0;
        starts[1] = FIRST_BUCKET_NANOS + 1;
        for (int b = 2; b < BUCKETS; b++) {
            // Just below the exact boundary, then up to where the formula itself says b, so both always agree.
            long n = Math.max(starts[b - 1] + 1, (long) (FIRST_BUCKET_NANOS * Math.pow(2, (b - 1) / 4.0)) - 2);
            while (bucketByFormula(n) < b) {
                n++;
            }
            starts[b] = n;
        }
        return starts;
    }

    static int bucketByFormula(long nanos) {
        if (nanos <= FIRST_BUCKET_NANOS) {
            return 0;
        }
        double octaves = Math.log((double) nanos / FIRST_BUCKET_NANOS) / Math.log(2);
        int bucket = 1 + (int) (octaves * SUB_BUCKETS);
        return Math.min(bucket, BUCKETS - 1);
    }

    /** The upper bound of a bucket, in milliseconds. */
    static double upperBoundMillis(int bucket) {
        return FIRST_BUCKET_NANOS * Math.pow(2, (double) bucket / SUB_BUCKETS) / 1e6;
    }

    /**
     * What a window saw.
     *
     * @param requests  exchanges recorded
     * @param seconds   the window's length, for the rate
     * @param errors    exchanges that failed (5xx or a gateway failure)
     * @param p50Millis median latency, or NaN without traffic
     * @param p95Millis 95th percentile
     * @param p99Millis 99th percentile
     */
    public record Summary(long requests, double seconds, long errors, double p50Millis, double p95Millis,
            double p99Millis) {
        public double rps() {
            return requests / seconds;
        }

        public double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    private static final class Ring {
        private final long stepNanos;
        private final AtomicLongArray slots = new AtomicLongArray(SLOTS * SLOT_WIDTH);

        Ring(long stepNanos) {
            this.stepNanos = stepNanos;
        }

        void record(int bucket, boolean error, long nowNanos) {
            long step = nowNanos / stepNanos;
            int base = (int) (step % SLOTS) * SLOT_WIDTH;
            long seen = slots.get(base);
            if (seen != step && slots.compareAndSet(base, seen, step)) {
                for (int i = 1; i < SLOT_WIDTH; i++) {
                    slots.set(base + i, 0);
                }
            }
            slots.incrementAndGet(base + 1);
            if (error) {
                slots.incrementAndGet(base + 2);
            }
            slots.incrementAndGet(base + 3 + bucket);
        }

        Summary summarize(long nowNanos, long ageNanos) {
            long current = nowNanos / stepNanos;
            long count = 0;
            long errors = 0;
            long[] histogram = new long[BUCKETS];
            for (int slot = 0; slot < SLOTS; slot++) {
                int base = slot * SLOT_WIDTH;
                long step = slots.get(base);
                if (step > current || current - step >= SLOTS) {
                    continue; // stale: older than the window
                }
                count += slots.get(base + 1);
                errors += slots.get(base + 2);
                for (int b = 0; b < BUCKETS; b++) {
                    histogram[b] += slots.get(base + 3 + b);
                }
            }
            // The current step is partial: the window covers the full steps before it plus the elapsed part.
            // A young window is only as long as the time since we started.
            long windowNanos = (SLOTS - 1) * stepNanos + (nowNanos % stepNanos);
            double seconds = Math.max(1e-3, Math.min(windowNanos, ageNanos) / 1e9);
            return new Summary(count, seconds, errors, percentile(histogram, count, 0.50),
                    percentile(histogram, count, 0.95), percentile(histogram, count, 0.99));
        }

        private static double percentile(long[] histogram, long count, double quantile) {
            if (count == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(quantile * count);
            long seen = 0;
            for (int b = 0; b < BUCKETS; b++) {
                seen += histogram[b];
                if (seen >= rank) {
                    return upperBoundMillis(b);
                }
            }
            return upperBoundMillis(BUCKETS - 1);
        }
    }
}
