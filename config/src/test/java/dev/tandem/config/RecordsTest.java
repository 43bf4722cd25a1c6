package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
                .isThrownBy(() -> new BackendConfig("b", url, "h", 0, pool, SECOND, SECOND, RESILIENCE, false));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BackendConfig("b", url, "h", 80, pool, Duration.ZERO, SECOND, RESILIENCE, false));
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

    @Test
    void aCircuitBreakerRefusesOutOfRangeValues() {
        assertThatIllegalArgumentException().isThrownBy(() -> breaker(0, 100, 50, 20, 5))
                .withMessage("failureRateThreshold: 0 (expected: 1..100)");
        assertThatIllegalArgumentException().isThrownBy(() -> breaker(50, 101, 50, 20, 5));
        assertThatIllegalArgumentException().isThrownBy(() -> breaker(50, 100, 0, 1, 5));
        assertThatIllegalArgumentException().isThrownBy(() -> breaker(50, 100, 10, 20, 5))
                .withMessage("minimumCalls: 20 (expected: 1..10)");
        assertThatIllegalArgumentException().isThrownBy(() -> breaker(50, 100, 50, 20, 0));
        assertThat(breaker(1, 1, 1, 1, 1).slidingWindowSize()).isOne();
    }

    private static ResilienceConfig.CircuitBreakerConfig breaker(int failures, int slow, int window, int minimum,
            int halfOpen) {
        return new ResilienceConfig.CircuitBreakerConfig(true, failures, slow, SECOND, window, minimum, SECOND, halfOpen);
    }

    @Test
    void aRetryRefusesNonIdempotentMethodsAndUpperCasesTheOthers() {
        assertThatIllegalArgumentException().isThrownBy(() -> retry(2, Set.of("GET", "POST"), SECOND, SECOND))
                .withMessageContaining("POST never retried: may have reached the backend");
        assertThatIllegalArgumentException().isThrownBy(() -> retry(2, Set.of("patch"), SECOND, SECOND));
        assertThatIllegalArgumentException().isThrownBy(() -> retry(0, Set.of(), SECOND, SECOND));
        assertThatIllegalArgumentException().isThrownBy(() -> retry(11, Set.of(), SECOND, SECOND));
        assertThatIllegalArgumentException().isThrownBy(() -> retry(2, Set.of(), SECOND, Duration.ofMillis(999)))
                .withMessageStartingWith("maxBackoff: PT0.999S (expected: at least backoff");
        assertThatIllegalArgumentException().isThrownBy(() -> retry(2, Set.of(), SECOND.negated(), SECOND));

        ResilienceConfig.RetryConfig retry = retry(3, Set.of("get", "Put", "DELETE"), Duration.ZERO, Duration.ZERO);
        assertThat(retry.methods()).containsExactlyInAnyOrder("GET", "PUT", "DELETE");
        assertThat(retry.enabled()).isTrue();
        assertThat(retry(1, Set.of("GET"), SECOND, SECOND).enabled()).isFalse();
    }

    private static ResilienceConfig.RetryConfig retry(int attempts, Set<String> methods, Duration backoff,
            Duration maxBackoff) {
        return new ResilienceConfig.RetryConfig(attempts, methods, backoff, maxBackoff, 20);
    }

    @Test
    void aHealthCheckNeedsAnAbsolutePathAndATimeoutShorterThanItsInterval() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ResilienceConfig.HealthCheckConfig("healthz", SECOND.multipliedBy(5), SECOND, 1, 1));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ResilienceConfig.HealthCheckConfig("/healthz", SECOND, SECOND, 1, 1))
                .withMessage("timeout: PT1S (expected: shorter than interval, PT1S)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ResilienceConfig.HealthCheckConfig("/h", SECOND.multipliedBy(5), SECOND, 0, 1));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new ResilienceConfig(RESILIENCE.circuitBreaker(), -1, RESILIENCE.retry(), null));
    }

    @Test
    void aMirrorRefusesOutOfRangeValuesAndNormalisesNames() {
        MirrorConfig.CompareConfig compare = new MirrorConfig.CompareConfig(
                List.of("updated_at"), List.of("Content-Type", "content-type"), true, true, true, true, true, 0);
        assertThat(compare.headers()).containsExactly("content-type");
        assertThatIllegalArgumentException().isThrownBy(() -> new MirrorConfig.CompareConfig(
                List.of(), List.of("a b"), true, true, true, true, true, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new MirrorConfig.CompareConfig(
                List.of(), List.of(), true, true, true, true, true, 100.5));
        assertThatIllegalArgumentException().isThrownBy(() -> new MirrorConfig("fastapi", Double.NaN, Set.of(), 0, 1, compare));
        assertThatIllegalArgumentException().isThrownBy(() -> new MirrorConfig("fastapi", 5, Set.of(), -1, 1, compare));
        assertThatIllegalArgumentException().isThrownBy(() -> new MirrorConfig("fastapi", 5, Set.of(), 0, 0, compare));

        MirrorConfig mirror = new MirrorConfig("fastapi", 0.5, Set.of("get", "post"), 0, 1, compare);
        assertThat(mirror.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(mirror.mirrorsWrites()).isTrue();
    }

    @Test
    void stickinessNamesAreTokensAndOnlyForCookiesAndHeaders() {
        assertThatIllegalArgumentException().isThrownBy(() -> new StickyConfig(StickyConfig.Kind.COOKIE, null));
        assertThatIllegalArgumentException().isThrownBy(() -> new StickyConfig(StickyConfig.Kind.CLIENT_IP, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> new StickyConfig(StickyConfig.Kind.HEADER, "X Key"));
        assertThat(new StickyConfig(StickyConfig.Kind.HEADER, "X-Key").name()).isEqualTo("X-Key");
    }

    @Test
    void aRouteRefusesBadWeightsAndANonPositiveTimeout() {
        MatchConfig all = new MatchConfig(null, "/", null, Set.of(), List.of());
        assertThatIllegalArgumentException().isThrownBy(() -> RouteConfig.of("r", all, "django")
                .withWeights(java.util.Map.of("django", 60, "fastapi", 60)));
        assertThatIllegalArgumentException().isThrownBy(() -> RouteConfig.of("r", all, "django")
                .withWeights(java.util.Map.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new RouteConfig("r", all, java.util.Map.of("d", 100),
                StickyConfig.NONE, null, Duration.ZERO, null, null));
        assertThat(RouteConfig.of("r", all, "django").withWeights(java.util.Map.of("django", 0, "fastapi", 100))
                .backend()).isEqualTo("fastapi");
    }

    @Test
    void emptyOverrideHeaderMeansNoneAndABadOneIsRefused() {
        assertThat(new TrafficConfig("", null).overrideHeader()).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> new TrafficConfig("X Backend", null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"127.0.0.1, true", "127.255.0.9, true", "localhost, true", "::1, true", "[::1], true",
            "0.0.0.0, false", "::, false", "126.0.0.1, false", "127.0.0.1.example, false", "example.com, false",
            "999.0.0.1, false", "zz::1, false"})
    void loopbackIsDecidedWithoutResolvingNames(String host, boolean loopback) {
        assertThat(new AdminConfig(host, 0, null).isLoopback()).isEqualTo(loopback);
    }
}
