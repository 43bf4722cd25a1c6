package dev.tandem.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (matching versions, nothing downloaded),
 * with a fresh profile per session. Closing quits the browser, proves no Chromium process of that profile
 * is left, and deletes the profile.
 */
record Browser(ChromeDriver driver, Path profile) implements AutoCloseable {

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(profile.toString())).orElse(false))
                    .toList();
            left.forEach(ProcessHandle::destroyForcibly);
            deleteRecursively(profile);
            if (!left.isEmpty()) {
                throw new AssertionError("Chromium processes outlived driver.quit(): "
                        + left.stream().map(p -> Long.toString(p.pid())).toList());
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary profile is harmless
        }
    }

    static Browser start(Path logDir) {
        Path chromium = executable("TANDEM_CHROMIUM", "/usr/bin/chromium", "chromium");
        Path chromedriver = executable("TANDEM_CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver");
        try {
            Path profile = Files.createTempDirectory("tandem-it-chromium-");
            ChromeOptions options = new ChromeOptions()
                    .setBinary(chromium.toFile())
                    .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--no-proxy-server", "--window-size=1280,1000", "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(chromedriver.toFile())
                    .usingAnyFreePort()
                    .withLogFile(logDir.resolve("chromedriver.log").toFile())
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path executable(String env, String fallback, String debianPackage) {
        String configured = System.getenv(env);
        Path path = Path.of(configured == null || configured.isBlank() ? fallback : configured);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException("Missing prerequisite: " + path + " (Debian package " + debianPackage
                    + "; `apt-get install chromium chromium-driver`, or set " + env + ")");
        }
        return path;
    }

    static File screenshotDir() {
        return Path.of(System.getProperty("tandem.it.dir", "target/it")).resolve("screenshots").toFile();
    }
}
