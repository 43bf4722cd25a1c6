package dev.tandem.traffic;

import io.micrometer.core.instrument.Counter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * What a route's mirroring found: counts by result, recent mismatches with their differences, the fields found to
 * be noise, and the distribution of the paired latency ratio (shadow / primary on the same request).
 */
public final class MirrorStats {
    /** Ratio buckets: powers of 2^(1/4) from 1/16 to 16. */
    private static final int RATIO_BUCKETS = 33;
    private static final int SAMPLES = 20;
    private static final int MAX_NOISY_FIELDS = 100;

    /** A mismatch kept for people to read. */
    public record Sample(Instant time, String method, String uri, List<ResponseComparator.Difference> differences) {
    }

    /** A mirror's outcome, as the {@code result} tag of {@code tandem.mirror.results}. */
    enum Result {
        MATCHED, MISMATCHED, NOISE, DROPPED, ERROR;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    /** The route's result counters by {@link Result#ordinal()}, looked up on first use (see Mirrors.count). */
    final @Nullable Counter[] counters = new Counter[Result.values().length];
    /** The route's results so far, by {@link Result#ordinal()}; counted with the meters in Mirrors.count. */
    final AtomicLongArray results = new AtomicLongArray(Result.values().length);
    final AtomicLong mirrored = new AtomicLong();
    private final AtomicLongArray ratios = new AtomicLongArray(RATIO_BUCKETS);
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Set<String> noisyFields = ConcurrentHashMap.newKeySet();

    public final String route;
    public final String primary;
    public final String shadow;
    /** Counts start here; a new primary/shadow pairing for the route (a weight change, a reload) starts afresh. */
    public final Instant since = Instant.now();

    MirrorStats(String route, String primary, String shadow) {
        this.route = route;
        this.primary = primary;
        this.shadow = shadow;
    }

    void ratio(long primaryNanos, long shadowNanos) {
        if (primaryNanos <= 0 || shadowNanos <= 0) {
            return;
        }
        double quarterOctaves = Math.log((double) shadowNanos / primaryNanos) / Math.log(2) * 4;
        int bucket = (int) Math.round(quarterOctaves) + RATIO_BUCKETS / 2;
        ratios.incrementAndGet(Math.max(0, Math.min(RATIO_BUCKETS - 1, bucket)));
    }

    /** The ratio at a quantile, or NaN without pairs. */
    public double ratioQuantile(double quantile) {
        long total = 0;
        long[] counts = new long[RATIO_BUCKETS];
        for (int i = 0; i < RATIO_BUCKETS; i++) {
            counts[i] = ratios.get(i);
            total += counts[i];
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < RATIO_BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return ratioOf(i);
            }
        }
        return ratioOf(RATIO_BUCKETS - 1);
    }

    /** Bucket counts with their ratios, for the dashboard's distribution. */
    public double[][] ratioHistogram() {
        double[][] histogram = new double[RATIO_BUCKETS][];
        for (int i = 0; i < RATIO_BUCKETS; i++) {
            histogram[i] = new double[] {ratioOf(i), ratios.get(i)};
        }
        return histogram;
    }

    private static double ratioOf(int bucket) {
        return Math.pow(2, (bucket - RATIO_BUCKETS / 2) / 4.0);
    }

    void sample(Sample sample) {
        synchronized (samples) {
            samples.addFirst(sample);
            while (samples.size() > SAMPLES) {
                samples.removeLast();
            }
        }
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    void noisy(String field) {
        if (noisyFields.size() < MAX_NOISY_FIELDS) {
            noisyFields.add(field);
        }
    }

    public Set<String> noisyFields() {
        return Set.copyOf(noisyFields);
    }

    boolean isNoisy(String field) {
        return noisyFields.contains(field);
    }

    public long mirrored() {
        return mirrored.get();
    }

    public long matched() {
        return results.get(Result.MATCHED.ordinal());
    }

    public long mismatched() {
        return results.get(Result.MISMATCHED.ordinal());
    }

    public long noise() {
        return results.get(Result.NOISE.ordinal());
    }

    public long dropped() {
        return results.get(Result.DROPPED.ordinal());
    }

    public long errors() {
        return results.get(Result.ERROR.ordinal());
    }

    /** Matches over compared pairs, or NaN before the first. */
    public double matchRate() {
        long matched = matched();
        long noise = noise();
        long compared = matched + mismatched() + noise;
        return compared == 0 ? Double.NaN : (double) (matched + noise) / compared;
    }
}
