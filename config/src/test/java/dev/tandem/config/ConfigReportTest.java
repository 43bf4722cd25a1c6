package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigReportTest {

    private final String report = ConfigReport.describe(
            ConfigLoader.parse(TestConfigs.EXAMPLE, Map.of("TANDEM_ADMIN_TOKEN", "s3cret-token")));

    @Test
    void listsTheRoutesInTheOrderTheyAreTried() {
        List<String> routeLines = report.lines().filter(line -> line.startsWith("  [")).toList();

        assertThat(routeLines).hasSize(5);
        assertThat(routeLines.get(0)).matches("  \\[0] +admin +prefix /admin +-> django");
        assertThat(routeLines.get(1))
                .matches("  \\[1] +api-v2 +prefix /api/v2  methods GET,POST  header X-Api-Key +-> fastapi");
        assertThat(routeLines.get(2)).matches("  \\[2] +health +path /healthz +-> fastapi");
        assertThat(routeLines.get(3)).matches("  \\[3] +slugs +regex \\^/p/\\[a-z0-9-]\\+\\$ +-> django");
        assertThat(routeLines.get(4)).matches("  \\[4] +core +prefix /  \\(catch-all\\) +-> django");
    }

    @Test
    void showsEachBackendsEffectiveTimeoutsAndPool() {
        assertThat(report).contains(
                "  django   http://127.0.0.1:8001 (127.0.0.1:8001)  connect 2s, response 30s, "
                        + "pool per event loop 256 connections, 1024 pending, idle 4s",
                "  fastapi  http://127.0.0.1:8002 (127.0.0.1:8002)  connect 1s, response 30s, ");
    }

    @Test
    void showsTheListenersAndLimits() {
        assertThat(report).contains(
                "listen      0.0.0.0:8080, event loops one per core, max connections 10000",
                "idle timeout 1m, request header timeout 10s, drain timeout 30s",
                "admin       127.0.0.1:8081, token set (redacted)",
                "limits      initial line 8k, header 16k, request body 100m",
                "proxy       request id header X-Request-Id, preserve host yes, backend header X-Tandem-Backend",
                "access log  on");
    }

    @Test
    void neverShowsTheAdminToken() {
        assertThat(report).doesNotContain("s3cret-token");
        assertThat(ConfigReport.describe(ConfigLoader.parse(TestConfigs.MINIMAL))).contains("token none");
    }

    @Test
    void showsHeaderValuesAndQuotesAlternationsInRegexes() {
        MatchConfig match = new MatchConfig(null, null, java.util.regex.Pattern.compile("^/a|/b$"), java.util.Set.of(),
                List.of(new MatchConfig.HeaderMatch("X-Env", "canary")));

        assertThat(ConfigReport.match(match)).isEqualTo("regex ^(?:/a|/b)$  header X-Env: canary");
    }

    @ParameterizedTest
    @CsvSource({"PT0.5S, 500ms", "PT10S, 10s", "PT120S, 2m", "PT2H, 2h", "PT0.000001S, 1us", "PT0.0000005S, 500ns"})
    void durationsUseTheLargestExactUnit(Duration duration, String text) {
        assertThat(ConfigReport.duration(duration)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"8192, 8k", "104857600, 100m", "1073741824, 1g", "1000, 1000 bytes"})
    void sizesUseHoconUnits(long bytes, String text) {
        assertThat(ConfigReport.size(bytes)).isEqualTo(text);
    }

    @Test
    void showsMetricsAndTraffic() {
        String traffic = ConfigReport.describe(ConfigLoader.parse(TestConfigs.MINIMAL + """
                tandem.traffic { override-header = X-Tandem-Backend, state-file = "/var/lib/tandem/weights.json" }
                tandem.metrics.enabled = false
                """));

        assertThat(report).contains("metrics     on\n", "traffic     override header off, state file none (in memory)\n");
        assertThat(traffic).contains("metrics     off\n",
                "traffic     override header X-Tandem-Backend, state file /var/lib/tandem/weights.json\n");
    }

    @Test
    void showsEachBackendsFaultHandlingUnderIt() {
        String text = ConfigReport.describe(ConfigLoader.parse(TestConfigs.MINIMAL + """
                tandem.backends.django { max-concurrent = 100, health-check.path = "/healthz", retry.methods = [PUT, GET] }
                tandem.backends.fastapi { url = "http://127.0.0.1:8002", circuit-breaker.enabled = false, retry.max-attempts = 1 }
                """));
        List<String> lines = text.lines().toList();
        int django = lines.indexOf(lines.stream().filter(l -> l.startsWith("  django ")).findFirst().orElseThrow());
        List<String> block = lines.subList(django + 1, django + 8);

        assertThat(block).extracting(String::strip).containsExactly(
                "circuit breaker opens when 50% failed or 100% took over 10s of the last 50 calls (at least 20), "
                        + "stays open 10s, then 5 probes",
                "bulkhead 100 in flight, retry up to 2 attempts of GET,PUT, backoff 25ms..250ms, budget 20%",
                "health check GET /healthz every 5s, timeout 1s, down after 2 failed, up after 1 passed",
                "fastapi  http://127.0.0.1:8002 (127.0.0.1:8002)  connect 2s, response 30s, pool per event loop 256 "
                        + "connections, 1024 pending, idle 4s",
                "circuit breaker off",
                "bulkhead off, retry off",
                "health check off");
        int column = lines.get(django).indexOf("connect 2s");
        assertThat(List.of(block.get(0), block.get(1), block.get(2), block.get(4), block.get(5), block.get(6)))
                .as("details line up under the settings column")
                .allSatisfy(line -> assertThat(line.length() - line.stripLeading().length()).isEqualTo(column));
    }

    @Test
    void showsEachRoutesWeightsAndFeaturesUnderIt() {
        String text = ConfigReport.describe(ConfigLoader.parse(TestConfigs.withRoutes(
                "{ name = products, match { prefix = \"/api/products\" }, split { django = 90, fastapi = 10 },"
                        + " sticky { cookie = sessionid }, fallback = fastapi, timeout = 10s,"
                        + " rate-limit { requests-per-second = 100 },"
                        + " mirror { to = fastapi, percent = 0.5, compare { ignore-fields = [updated_at], timestamp-zone = false } } }",
                "{ name = keys, match { prefix = \"/api/keys\" }, split { fastapi = 50, django = 50 }, sticky { header = X-Api-Key } }",
                "{ name = core, match { prefix = \"/\" }, backend = django }")));

        List<String> routes = text.lines().dropWhile(l -> !l.startsWith("routes")).skip(1).toList();

        assertThat(routes).extracting(line -> line.strip().replaceAll(" {2,}", "  ")).containsExactly(
                "[0]  products  prefix /api/products  -> django 90% / fastapi 10%",
                "sticky cookie sessionid, fallback fastapi, timeout 10s, rate limit 100/s",
                "mirror 0.5% of GET,HEAD to fastapi, max body 1m, 64 in flight per event loop",
                "compare headers content-type, ignoring updated_at, normalisers off: timestamp-zone, noise sample 0%",
                "[1]  keys  prefix /api/keys  -> fastapi 50% / django 50%",
                "sticky header X-Api-Key",
                "[2]  core  prefix /  (catch-all)  -> django");
        int column = routes.get(0).indexOf("-> ") + 3;
        assertThat(routes.get(1).indexOf("sticky")).isEqualTo(column);
        assertThat(routes.get(2).indexOf("mirror")).isEqualTo(column);
        assertThat(routes.get(3).indexOf("compare")).isEqualTo(column + 2);
        assertThat(routes.get(5).indexOf("sticky")).isEqualTo(column);
    }

    @ParameterizedTest
    @CsvSource({"100, 100%", "0.5, 0.5%", "0, 0%", "12.25, 12.25%"})
    void percentagesHaveNoTrailingZeros(double percent, String text) {
        assertThat(ConfigReport.percent(percent)).isEqualTo(text);
    }
}
