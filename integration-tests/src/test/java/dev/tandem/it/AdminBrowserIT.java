package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Django's admin through the gateway in a real headless Chromium: the login form's CSRF token and the
 * session cookie must survive the proxy (Django compares the browser's Origin with the Host it sees), a
 * product created in the admin shows up in its list, and FastAPI reads the same product right after.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class AdminBrowserIT {

    private static final Pattern CHANGE_LINK = Pattern.compile("/admin/[^/]+/product/(\\d+)/change/");

    @Parameter
    int eventLoops;

    private HybridStack stack;
    private Gateway gateway;
    private Browser session;
    private ChromeDriver browser;

    @BeforeEach
    void setUp(HybridStack stack) {
        this.stack = stack;
        this.gateway = stack.gateway(eventLoops);
        this.session = Browser.start(stack.logDir());
        this.browser = session.driver();
    }

    @AfterEach
    void closeBrowser() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void logInCreateAProductAndReadItFromFastApi() throws IOException {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String sku = "IT-" + unique.toUpperCase();
        String name = "Gateway widget " + unique;

        browser.get(gateway.url("/admin/login/?next=/admin/").toString());
        browser.findElement(By.id("id_username")).sendKeys(HybridStack.ADMIN_USER);
        browser.findElement(By.id("id_password")).sendKeys(stack.adminPassword());
        browser.findElement(By.cssSelector("input[type=submit], button[type=submit]")).click();
        wait.until(d -> !d.getCurrentUrl().contains("/login/") || !d.findElements(By.cssSelector(".errornote")).isEmpty());
        assertThat(browser.getCurrentUrl()).as(page()).isEqualTo(gateway.url("/admin/").toString());
        assertThat(browser.manage().getCookieNamed("sessionid")).as("session cookie").isNotNull();
        assertThat(browser.manage().getCookieNamed("csrftoken")).as("CSRF cookie").isNotNull();

        browser.findElement(By.cssSelector("a[href$='/product/add/']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("id_sku")));
        browser.findElement(By.id("id_sku")).sendKeys(sku);
        browser.findElement(By.id("id_name")).sendKeys(name);
        Select category = new Select(browser.findElement(By.id("id_category")));
        category.selectByIndex(category.getOptions().size() > 1 ? 1 : 0);
        replace(By.id("id_price"), "12.50");
        replace(By.id("id_stock"), "7");
        fillOtherRequiredFields(unique);
        browser.findElement(By.cssSelector("input[name=_save]")).click();

        WebElement added = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".messagelist .success a, .errornote, .errorlist")));
        assertThat(added.getAttribute("class")).as(page()).doesNotContain("error");
        String href = added.getAttribute("href");
        Matcher id = CHANGE_LINK.matcher(href);
        assertThat(id.find()).as("a change link in the success message: " + href).isTrue();
        screenshot("admin-product-added-" + eventLoops + "-loop.png");
        browser.get(gateway.url("/admin/" + id.group(0).split("/")[2] + "/product/?q=" + sku).toString());
        assertThat(browser.findElements(By.cssSelector("#result_list a[href*='" + id.group(0) + "']")))
                .as("the new product in the change list, searched by SKU\n" + page()).isNotEmpty();
        screenshot("admin-product-list-" + eventLoops + "-loop.png");

        // The file's split sends product reads to Django; the override header asks FastAPI.
        Http.Response read = Http.get(gateway.url("/api/products/" + id.group(1)), Gateway.OVERRIDE_HEADER, "fastapi");
        assertThat(read.status()).as(read.describe()).isEqualTo(200);
        assertThat(read.header("X-Backend")).as(read.describe()).contains("fastapi");
        JsonNode product = read.json();
        assertThat(product.path("sku").asText()).isEqualTo(sku);
        assertThat(product.path("name").asText()).isEqualTo(name);
        assertThat(product.path("price").asText()).isEqualTo("12.50");
        assertThat(product.path("stock").asInt()).isEqualTo(7);
    }

    private void replace(By field, String value) {
        WebElement element = browser.findElement(field);
        element.clear();
        element.sendKeys(value);
    }

    /** Any required text field this test does not know about gets a plausible value. */
    private void fillOtherRequiredFields(String unique) {
        List<WebElement> required = browser.findElements(
                By.cssSelector("form input[required]:not([type=hidden]):not([type=checkbox]), form textarea[required]"));
        for (WebElement field : required) {
            if (!field.getAttribute("value").isEmpty()) {
                continue;
            }
            String type = String.valueOf(field.getAttribute("type"));
            field.sendKeys(switch (type) {
                case "number" -> "1";
                case "url" -> "https://example.test/" + unique;
                case "email" -> unique + "@example.test";
                default -> "it-" + unique;
            });
        }
    }

    private String page() {
        String source = browser.getPageSource();
        return browser.getCurrentUrl() + "\n" + (source.length() > 2000 ? source.substring(0, 2000) + "..." : source);
    }

    private void screenshot(String fileName) throws IOException {
        Path dir = Files.createDirectories(Browser.screenshotDir().toPath());
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
    }
}
