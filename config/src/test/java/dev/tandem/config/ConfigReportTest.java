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
}
