package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The records refuse out-of-range values even when built in code rather than by the mapper. */
class RecordsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final ResilienceConfig RESILIENCE = TestConfigs.RESILIENCE;

    @Test
    void aListenerRefusesOutOfRangeValues() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ListenerConfig("0.0.0.0", 70000, 0, SECOND, SECOND, SECOND, 1))
                .withMessage("port: 70000 (expected: a port in 0..65535)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ListenerConfig("0.0.0.0", 0, -1, SECOND, SECOND, SECOND, 1));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ListenerConfig("0.0.0.0", 0, 0, Duration.ZERO, SECOND, SECOND, 1))
                .withMessageStartingWith("idleTimeout: PT0S");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ListenerConfig("0.0.0.0", 0, 0, SECOND, SECOND, SECOND, 0));
    }

    @Test
    void aPoolRefusesOutOfRangeValues() {
        assertThatIllegalArgumentException().isThrownBy(() -> new PoolConfig(0, 0, SECOND));
        assertThatIllegalArgumentException().isThrownBy(() -> new PoolConfig(1, -1, SECOND));
        assertThatIllegalArgumentException().isThrownBy(() -> new PoolConfig(1, 0, SECOND.negated()));
        assertThat(new PoolConfig(1, 0, SECOND).maxPending()).isZero();
    }

    @Test
    void aBackendRefusesPortZeroAndNonPositiveTimeouts() {
        PoolConfig pool = new PoolConfig(1, 0, SECOND);
        URI url = URI.create("http://h:80");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackendConfig("b", url, "h", 0, pool, SECOND, SECOND, RESILIENCE));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackendConfig("b", url, "h", 80, pool, Duration.ZERO, SECOND, RESILIENCE));
    }

    @Test
    void limitsMustBePositive() {
        assertThatIllegalArgumentException().isThrownBy(() -> new LimitsConfig(0, 1, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new LimitsConfig(1, 1, 0));
    }

    @Test
    void emptyTokenAndBackendHeaderMeanNone() {
        assertThat(new AdminConfig("127.0.0.1", 0, "").token()).isNull();
        assertThat(new ProxyConfig("X-Request-Id", true, "").backendHeader()).isNull();
        assertThat(new AdminConfig("127.0.0.1", 0, "t0k3n").toString()).doesNotContain("t0k3n");
    }

    @Test
    void aMatchNeedsExactlyOneKind() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new MatchConfig(null, null, null, Set.of(), List.of()));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new MatchConfig("/a", "/b", null, Set.of(), List.of()));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new MatchConfig(null, "api", null, Set.of(), List.of()));
    }

    @Test
    void aMatchNormalisesItsPrefixAndMethods() {
        MatchConfig match = new MatchConfig(null, "/api/", null, Set.of("get", "Post"), List.of());

        assertThat(match.prefix()).isEqualTo("/api");
        assertThat(match.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(new MatchConfig(null, "/", null, Set.of(), List.of()).isCatchAll()).isTrue();
        assertThat(new MatchConfig(null, null, Pattern.compile("/"), Set.of(), List.of()).isCatchAll()).isFalse();
    }

    @Test
    void aHeaderMatchNeedsATokenName() {
        assertThatIllegalArgumentException().isThrownBy(() -> new MatchConfig.HeaderMatch("X Key", null));
    }
}
