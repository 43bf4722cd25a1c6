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
        int rows = runAndCheckRows("bench-quick", List.of("bench/run", "--quick", "--no-startup", "--port-base",
                "29000"), "RESULTS.md", ROW, "errors");
        // Four targets in each of the quick workloads.
        assertThat(rows).isGreaterThanOrEqualTo(12);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void endToEndQuickModeMeasuresBothAppsDirectAndThroughTandem() throws Exception {
        int rows = runAndCheckRows("bench-e2e", List.of("bench/e2e", "--quick", "--port-base", "29400"), "E2E.md",
                E2E_ROW, "non-2xx answers");
        assertThat(rows).isEqualTo(4);
    }

    /**
     * Runs a bench script with its results in integration-tests/target/{name}, checks that it succeeded and that every
     * row of its table served requests with a zero count in the last column; returns the number of rows.
     */
    private static int runAndCheckRows(String name, List<String> command, String table, Pattern row, String failures)
            throws Exception {
        Path root = Path.of(System.getProperty("tandem.repo.root", "..")).toAbsolutePath().normalize();
        Path results = root.resolve("integration-tests/target/" + name);
        List<String> args = new java.util.ArrayList<>(List.of("bash"));
        args.addAll(command);
        args.addAll(List.of("--results", results.toString()));
        ManagedProcess.Result run = ManagedProcess.of(name, args)
                .workDir(root)
                .log(root.resolve("integration-tests/target/" + name + ".log"))
                .run(Duration.ofMinutes(9));

        assertThat(run.exitCode()).as(String.join(" ", command) + "; log:\n" + run.tail(60)).isZero();
        String text = Files.readString(results.resolve(table));
        Matcher rows = row.matcher(text);
        int seen = 0;
        while (rows.find()) {
            seen++;
            assertThat(Long.parseLong(rows.group(2).replace(",", ""))).as(rows.group()).isPositive();
            assertThat(rows.group(3)).as(failures + " in " + rows.group()).isEqualTo("0");
        }
        assertThat(seen).as(text).isPositive();
        return seen;
    }
}
