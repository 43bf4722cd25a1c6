package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DidYouMeanTest {

    private static final List<String> KEYS = List.of("host", "port", "event-loops", "max-connections", "idle-timeout");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "prot, port",
            "hots, host",
            "maxConnections, max-connections",
            "max_connections, max-connections",
            "event-loop, event-loops",
            "idle-timout, idle-timeout",
            "PORT, port",
            "timeout, ",
            "x, ",
            "banana, "})
    void suggestsOnlyANameWithinTwoEdits(String input, String expected) {
        assertThat(DidYouMean.closest(input, KEYS)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs {1}")
    @CsvSource({"port, prot, 1", "port, port, 0", "kitten, sitting, 3", "'', abc, 3", "ab, ba, 1"})
    void countsATranspositionAsOneEdit(String a, String b, int distance) {
        assertThat(DidYouMean.distance(a, b)).isEqualTo(distance);
    }
}
