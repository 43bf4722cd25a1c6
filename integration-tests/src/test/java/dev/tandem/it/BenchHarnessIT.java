package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.it.support.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the benchmark harness once in its quick mode, so that it cannot rot: every target (direct, nginx, HAProxy,
 * Tandem) must serve every quick workload without errors and the results table must be written. Nothing here
 * asserts a speed: timing belongs to {@code bench/run}'s recorded results, not to a test. The harness installs
 * wrk, nginx and HAProxy from Debian when they are missing (.ci/run has them already). The end-to-end harness
 * ({@code bench/e2e}) runs the same way: the reference deployment on PostgreSQL, each app direct and through Tandem.
 */
class BenchHarnessIT {
    private static final Pattern ROW = Pattern.compile("^\\| (direct|nginx|haproxy|tandem) \\| ([0-9,]+) .*\\| (\\d+) \\|$",
            Pattern.MULTILINE);
    private static final Pattern E2E_ROW = Pattern.compile(
            "^\\| (django|tandem-django|fastapi|tandem-fastapi) \\| ([0-9,]+) .*\\| (\\d+) \\|$", Pattern.MULTILINE);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void quickModeMeasuresEveryTargetWithoutErrors() throws Exception {
        Path root = Path.of(System.getProperty("tandem.repo.root", "..")).toAbsolutePath().normalize();
        Path results = root.resolve("integration-tests/target/bench-quick");
        ManagedProcess.Result run = ManagedProcess.of("bench-quick",
                        List.of("bash", "bench/run", "--quick", "--no-startup", "--port-base", "29000",
                                "--results", results.toString()))
                .workDir(root)
                .log(root.resolve("integration-tests/target/bench-quick.log"))
                .run(Duration.ofMinutes(9));

        assertThat(run.exitCode()).as("bench/run --quick; log:\n" + run.tail(60)).isZero();
        String table = Files.readString(results.resolve("RESULTS.md"));
        Matcher rows = ROW.matcher(table);
        int seen = 0;
        while (rows.find()) {
            seen++;
            assertThat(Long.parseLong(rows.group(2).replace(",", ""))).as(rows.group()).isPositive();
            assertThat(rows.group(3)).as("errors in " + rows.group()).isEqualTo("0");
        }
        // Four targets in each of the quick workloads.
        assertThat(seen).isGreaterThanOrEqualTo(12);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void endToEndQuickModeMeasuresBothAppsDirectAndThroughTandem() throws Exception {
        Path root = Path.of(System.getProperty("tandem.repo.root", "..")).toAbsolutePath().normalize();
        Path results = root.resolve("integration-tests/target/bench-e2e");
        ManagedProcess.Result run = ManagedProcess.of("bench-e2e",
                        List.of("bash", "bench/e2e", "--quick", "--port-base", "29400", "--results", results.toString()))
                .workDir(root)
                .log(root.resolve("integration-tests/target/bench-e2e.log"))
                .run(Duration.ofMinutes(9));

        assertThat(run.exitCode()).as("bench/e2e --quick; log:\n" + run.tail(60)).isZero();
        String table = Files.readString(results.resolve("E2E.md"));
        Matcher rows = E2E_ROW.matcher(table);
        int seen = 0;
        while (rows.find()) {
            seen++;
            assertThat(Long.parseLong(rows.group(2).replace(",", ""))).as(rows.group()).isPositive();
            assertThat(rows.group(3)).as("non-2xx answers in " + rows.group()).isEqualTo("0");
        }
        assertThat(seen).as(table).isEqualTo(4);
    }
}
