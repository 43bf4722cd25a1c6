package dev.tandem.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (matching versions, nothing downloaded),
 * with a fresh profile per session.
 */
final class Browser {

    private Browser() {
    }

    static ChromeDriver start(Path logDir) {
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
            return driver;
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
