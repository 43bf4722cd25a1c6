package dev.tandem.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyWindowsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void percentilesComeFromTheRecordedLatenciesWithinTenPercent() {
        LatencyWindows windows = new LatencyWindows();
        long now = 1_000 * SECOND;
        for (int i = 1; i <= 1000; i++) {
            windows.record(i * 100_000L, false, now); // 0.1 ms .. 100 ms, uniformly
        }

        LatencyWindows.Summary minute = windows.lastMinute(now);

        assertThat(minute.requests()).isEqualTo(1000);
        assertThat(minute.p50Millis()).isCloseTo(50, within(5.5));
        assertThat(minute.p99Millis()).isCloseTo(99, within(10.0));
    }

    @Test
    void oldSamplesLeaveTheMinuteWindowButStayInTheTenMinuteOne() {
        LatencyWindows windows = new LatencyWindows();
        long start = 10_000 * SECOND;
        windows.record(2_000_000, true, start);
        windows.record(2_000_000, false, start);

        long later = start + 90 * SECOND;
        assertThat(windows.lastMinute(later).requests()).isZero();
        LatencyWindows.Summary tenMinutes = windows.lastTenMinutes(later);
        assertThat(tenMinutes.requests()).isEqualTo(2);
        assertThat(tenMinutes.errorRate()).isEqualTo(0.5);
    }

    @Test
    void aWindowWithoutTrafficHasNoPercentiles() {
        LatencyWindows.Summary empty = new LatencyWindows().lastMinute(5 * SECOND);

        assertThat(empty.requests()).isZero();
        assertThat(empty.p50Millis()).isNaN();
        assertThat(empty.rps()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"10000, 0", "50000, 0", "100000, 5", "1000000000, 58", "999000000000, 87"})
    void bucketsAreLogarithmicAndCapped(long nanos, int bucket) {
        assertThat(LatencyWindows.bucketOf(nanos)).isEqualTo(bucket);
    }

    @Test
    void theBucketSearchAgreesWithTheFormulaAtEveryBoundaryAndBetween() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int b = 1; b < LatencyWindows.BUCKETS; b++) {
            long boundary = (long) Math.ceil(50_000 * Math.pow(2, (b - 1) / 4.0));
            for (long n = boundary - 3; n <= boundary + 3; n++) {
                assertThat(LatencyWindows.bucketOf(n)).as("%d ns", n).isEqualTo(LatencyWindows.bucketByFormula(n));
            }
        }
        for (int i = 0; i < 100_000; i++) {
            long n = (long) Math.pow(10, random.nextDouble(0, 13));
            assertThat(LatencyWindows.bucketOf(n)).as("%d ns", n).isEqualTo(LatencyWindows.bucketByFormula(n));
        }
    }
}
