package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.ManagedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/**
 * The deploy apps' own Python suites ({@code deploy/bin/test}), run by this build so that one
 * {@code mvn -B verify} runs every test: once on PostgreSQL (a fresh database on the stack's server), once
 * on SQLite.
 */
@HybridStackTest(needs = HybridStackTest.Needs.DATABASE)
class PythonSuitesIT {

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void passOnPostgres(HybridStack stack, TestReporter reporter) {
        String url = stack.createDatabase("tandem_pytest");
        assertPassed(stack.runPythonSuites(url, "python-tests-postgres.log"), reporter);
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void passOnSqlite(HybridStack stack, TestReporter reporter) throws IOException {
        Path dir = Files.createDirectories(stack.logDir().resolve("python-tests-sqlite"));
        Path file = dir.resolve("tandem.sqlite3").toAbsolutePath();
        Files.deleteIfExists(file);
        assertPassed(stack.runPythonSuites("sqlite:///" + file, "python-tests-sqlite.log"), reporter);
    }

    private static void assertPassed(ManagedProcess.Result result, TestReporter reporter) {
        reporter.publishFile(result.log(), org.junit.jupiter.api.extension.MediaType.TEXT_PLAIN_UTF_8);
        System.out.println(result.output());
        assertThat(result.exitCode())
                .as("deploy/bin/test exit code; log " + result.log() + ":\n" + result.tail(80))
                .isZero();
    }
}
