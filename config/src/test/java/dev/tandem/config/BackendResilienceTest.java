package dev.tandem.config;

import static dev.tandem.config.TestConfigs.MINIMAL;
import static dev.tandem.config.TestConfigs.onlyProblem;
import static dev.tandem.config.TestConfigs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Circuit breaker, bulkhead, retries and health checks: defaults, per-backend overrides and validation. */
class BackendResilienceTest {

    /** MINIMAL plus a second backend, fastapi; settings appended start at line 6. */
    private static final String TWO_BACKENDS = MINIMAL + "tandem.backends.fastapi.url = \"http://127.0.0.1:8002\"\n";

    @Test
    void referenceConfSuppliesEveryResilienceDefault() {
        ResilienceConfig resilience = ConfigLoader.parse(MINIMAL).backend("django").resilience();

        assertThat(resilience.circuitBreaker()).isEqualTo(new ResilienceConfig.CircuitBreakerConfig(
                true, 50, 100, Duration.ofSeconds(10), 50, 20, Duration.ofSeconds(10), 5));
        assertThat(resilience.maxConcurrent()).isZero();
        assertThat(resilience.hasBulkhead()).isFalse();
        assertThat(resilience.retry()).isEqualTo(new ResilienceConfig.RetryConfig(
                2, java.util.Set.of("GET", "HEAD", "OPTIONS"), Duration.ofMillis(25), Duration.ofMillis(250), 20));
        assertThat(resilience.healthCheck()).isNull();
        assertThat(resilience).isEqualTo(TestConfigs.RESILIENCE);
    }

    @Test
    void aBackendOverridesSomeKeysOfABlockAndKeepsTheOthers() {
        GatewayConfig config = ConfigLoader.parse(TWO_BACKENDS + """
                tandem.backends.django {
                  circuit-breaker { enabled = false }
                  retry { max-attempts = 1 }
                  max-concurrent = 100
                  health-check { path = "/healthz", interval = 10s }
                }
                """);

        ResilienceConfig django = config.backend("django").resilience();
        assertThat(django.circuitBreaker().enabled()).isFalse();
        assertThat(django.circuitBreaker().failureRateThreshold()).isEqualTo(50);
        assertThat(django.retry().maxAttempts()).isOne();
        assertThat(django.retry().enabled()).isFalse();
        assertThat(django.retry().methods()).containsExactlyInAnyOrder("GET", "HEAD", "OPTIONS");
        assertThat(django.retry().maxBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(django.maxConcurrent()).isEqualTo(100);
        assertThat(django.healthCheck()).isEqualTo(new ResilienceConfig.HealthCheckConfig(
                "/healthz", Duration.ofSeconds(10), Duration.ofSeconds(1), 2, 1));
        assertThat(config.backend("fastapi").resilience()).isEqualTo(TestConfigs.RESILIENCE);
    }

    @Test
    void shadowPipeliningIsOffUnlessABackendOrTheDefaultsTurnItOn() {
        assertThat(ConfigLoader.parse(TWO_BACKENDS).backend("fastapi").shadowPipelining()).isFalse();

        GatewayConfig config = ConfigLoader.parse(TWO_BACKENDS + "tandem.backends.fastapi.shadow-pipelining = true");
        assertThat(config.backend("fastapi").shadowPipelining()).isTrue();
        assertThat(config.backend("django").shadowPipelining()).isFalse();

        GatewayConfig defaults = ConfigLoader.parse(TWO_BACKENDS + "tandem.backend-defaults.shadow-pipelining = on");
        assertThat(defaults.backend("django").shadowPipelining()).isTrue();
    }

    @Test
    void backendDefaultsInTheFileApplyToEveryBackendUnlessOverridden() {
        GatewayConfig config = ConfigLoader.parse(TWO_BACKENDS + """
                tandem.backend-defaults {
                  circuit-breaker.wait-in-open = 30s
                  retry { methods = [get, PUT, DELETE], budget-percent = 5 }
                  health-check.path = "/ready"
                }
                tandem.backends.fastapi.health-check.path = null
                tandem.backends.fastapi.retry.methods = [GET]
                """);

        ResilienceConfig django = config.backend("django").resilience();
        assertThat(django.circuitBreaker().waitInOpen()).isEqualTo(Duration.ofSeconds(30));
        assertThat(django.retry().methods()).containsExactlyInAnyOrder("GET", "PUT", "DELETE");
        assertThat(django.retry().budgetPercent()).isEqualTo(5);
        assertThat(django.healthCheck().path()).isEqualTo("/ready");
        ResilienceConfig fastapi = config.backend("fastapi").resilience();
        assertThat(fastapi.circuitBreaker().waitInOpen()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fastapi.retry().methods()).containsExactly("GET");
        assertThat(fastapi.retry().budgetPercent()).isEqualTo(5);
        assertThat(fastapi.healthCheck()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\""})
    void aNullOrEmptyHealthCheckPathTurnsChecksOff(String path) {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + "tandem.backends.django.health-check.path = " + path);

        assertThat(config.backend("django").resilience().healthCheck()).isNull();
    }

    @Test
    void theBoundariesOfEachRangeAreAccepted() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.backends.django {
                  circuit-breaker { failure-rate-threshold = 1, slow-call-rate-threshold = 100, sliding-window-size = 1,
                                    minimum-calls = 1, half-open-calls = 1 }
                  retry { max-attempts = 10, backoff = 0ms, max-backoff = 0ms, budget-percent = 0, methods = [] }
                  health-check { path = "/", interval = 2ms, timeout = 1ms, unhealthy-after = 1, healthy-after = 1 }
                }
                """);

        ResilienceConfig resilience = config.backend("django").resilience();
        assertThat(resilience.circuitBreaker().slidingWindowSize()).isOne();
        assertThat(resilience.retry().maxAttempts()).isEqualTo(10);
        assertThat(resilience.retry().backoff()).isZero();
        assertThat(resilience.retry().methods()).isEmpty();
        assertThat(resilience.healthCheck().timeout()).isEqualTo(Duration.ofMillis(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            circuit-breaker.enabled = maybe                 | circuit-breaker.enabled                  | "maybe" (expected: true or false)
            circuit-breaker.failure-rate-threshold = 0      | circuit-breaker.failure-rate-threshold   | 0 (expected: a percentage in 1..100)
            circuit-breaker.failure-rate-threshold = 101    | circuit-breaker.failure-rate-threshold   | 101 (expected: a percentage in 1..100)
            circuit-breaker.slow-call-rate-threshold = 50.5 | circuit-breaker.slow-call-rate-threshold | 50.5 (expected: a percentage in 1..100)
            circuit-breaker.slow-call-duration = 0s         | circuit-breaker.slow-call-duration       | "0s" (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            circuit-breaker.sliding-window-size = 0         | circuit-breaker.sliding-window-size      | 0 (expected: 1 or more)
            circuit-breaker.minimum-calls = 0               | circuit-breaker.minimum-calls            | 0 (expected: 1 or more)
            circuit-breaker.wait-in-open = 10               | circuit-breaker.wait-in-open             | 10 (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            circuit-breaker.half-open-calls = 0             | circuit-breaker.half-open-calls          | 0 (expected: 1 or more)
            max-concurrent = -1                             | max-concurrent                           | -1 (expected: 0 (no limit) or more)
            retry.max-attempts = 0                          | retry.max-attempts                       | 0 (expected: 1..10, where 1 means no retry)
            retry.max-attempts = 11                         | retry.max-attempts                       | 11 (expected: 1..10, where 1 means no retry)
            retry.methods = GET                             | retry.methods                            | "GET" (expected: a list of methods, such as [GET, HEAD, OPTIONS])
            retry.methods = [GET, "GE T"]                   | retry.methods[1]                         | "GE T" (expected: an HTTP method such as GET)
            retry.backoff = -1ms                            | retry.backoff                            | "-1ms" (expected: a duration of 0 or more with a unit, such as 0ms, 25ms or 1s)
            retry.budget-percent = 101                      | retry.budget-percent                     | 101 (expected: a percentage in 0..100)
            health-check.path = healthz                     | health-check.path                        | "healthz" (expected: a path starting with '/', without spaces, such as "/healthz"; or null for no health checks)
            health-check.interval = 0s                      | health-check.interval                    | "0s" (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            health-check.unhealthy-after = 0                | health-check.unhealthy-after             | 0 (expected: 1 or more)
            health-check.healthy-after = x                  | health-check.healthy-after               | "x" (expected: 1 or more)
            retry = 3                                       | retry                                    | 3 (expected: an object)
            shadow-pipelining = sometimes                   | shadow-pipelining                        | "sometimes" (expected: true or false)
            """)
    void aBadValueIsReportedAtTheBackendThatSetsIt(String setting, String key, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backends.django." + setting);

        assertThat(problem.path()).isEqualTo("tandem.backends.django." + key);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:5");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"circuit-breaker.half-open-calls = 0", "retry.max-attempts = 0", "max-concurrent = -1",
            "health-check.timeout = 0s", "circuit-breaker = 5"})
    void aBadDefaultIsReportedOnceAtItsOwnPathEvenWithSeveralBackends(String setting) {
        List<ConfigProblem> problems = problems(TWO_BACKENDS + "tandem.backend-defaults." + setting);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("tandem.backend-defaults." + setting.substring(0, setting.indexOf(' ')));
            assertThat(p.origin()).isEqualTo("<string>:6");
        });
    }

    @ParameterizedTest(name = "POST-like {0}")
    @ValueSource(strings = {"POST", "PATCH", "post", "CONNECT", "PURGE"})
    void onlyIdempotentMethodsMayBeRetried(String method) {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backends.django.retry.methods = [GET, " + method + "]");

        assertThat(problem).hasToString("<string>:5: tandem.backends.django.retry.methods[1]: \"" + method
                + "\" never retried: may have reached the backend (expected: idempotent methods, e.g. GET, HEAD, "
                + "OPTIONS, PUT, DELETE)");
    }

    @Test
    void everyNonIdempotentDefaultMethodIsReported() {
        List<ConfigProblem> problems = problems(MINIMAL + "tandem.backend-defaults.retry.methods = [POST, GET, PATCH]");

        assertThat(problems).extracting(ConfigProblem::path).containsExactly(
                "tandem.backend-defaults.retry.methods[0]", "tandem.backend-defaults.retry.methods[2]");
    }

    // ---- cross-field rules: reported where the deployment changed something ----------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.backends.django.retry.max-backoff = 10ms                      | tandem.backends.django.retry.max-backoff   | "10ms" (expected: at least backoff, 25ms)
            tandem.backends.django.retry.backoff = 1s                            | tandem.backends.django.retry.backoff       | "1s" (expected: at most max-backoff, 250ms)
            tandem.backend-defaults.retry.backoff = 1s                           | tandem.backend-defaults.retry.backoff      | "1s" (expected: at most max-backoff, 250ms)
            tandem.backends.django.retry { backoff = 1s, max-backoff = 500ms }   | tandem.backends.django.retry.max-backoff   | "500ms" (expected: at least backoff, 1s)
            tandem.backends.django.health-check.timeout = 5s                     | tandem.backends.django.health-check.timeout | "5s" (expected: shorter than interval, 5s)
            tandem.backends.django.health-check.interval = 1s                    | tandem.backends.django.health-check.interval | "1s" (expected: longer than timeout, 1s)
            tandem.backend-defaults.health-check.interval = 500ms                | tandem.backend-defaults.health-check.interval | "500ms" (expected: longer than timeout, 1s)
            tandem.backends.django.circuit-breaker.minimum-calls = 51            | tandem.backends.django.circuit-breaker.minimum-calls | 51 (expected: at most sliding-window-size, 50)
            tandem.backends.django.circuit-breaker.sliding-window-size = 10      | tandem.backends.django.circuit-breaker.sliding-window-size | 10 (expected: at least minimum-calls, 20)
            """)
    void aRuleBetweenTwoSettingsPointsAtTheOneTheDeploymentWrote(String setting, String path, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:5");
    }

    @Test
    void aRuleBetweenTwoSettingsIsCheckedEvenWhenAnotherSettingIsBad() {
        List<ConfigProblem> problems = problems(MINIMAL + """
                tandem.backends.django.circuit-breaker { sliding-window-size = 10, failure-rate-threshold = 0 }
                """);

        assertThat(problems).extracting(ConfigProblem::path).containsExactly(
                "tandem.backends.django.circuit-breaker.failure-rate-threshold",
                "tandem.backends.django.circuit-breaker.sliding-window-size");
    }

    // ---- unknown keys ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.backends.django.circuit-breaker.enbled = false  | tandem.backends.django.circuit-breaker.enbled | unknown key (did you mean "enabled"?)
            tandem.backends.django.retry.max-atempts = 1           | tandem.backends.django.retry.max-atempts      | unknown key (did you mean "max-attempts"?)
            tandem.backends.django.healthcheck.path = "/h"         | tandem.backends.django.healthcheck            | unknown key (did you mean "health-check"?)
            tandem.backend-defaults.max-concurent = 5              | tandem.backend-defaults.max-concurent         | unknown key (did you mean "max-concurrent"?)
            tandem.backend-defaults.health-check.paths = "/h"      | tandem.backend-defaults.health-check.paths    | unknown key (did you mean "path"?)
            """)
    void anUnknownKeyInAResilienceBlockIsReported(String setting, String path, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
    }

    @Test
    void aUrlInTheDefaultsSaysWhereItBelongs() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backend-defaults.url = \"http://127.0.0.1:8001\"");

        assertThat(problem.message()).endsWith("; url goes in each backend, it has no default)");
    }
}
