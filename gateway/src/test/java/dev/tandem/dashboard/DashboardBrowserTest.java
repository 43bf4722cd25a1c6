package dev.tandem.dashboard;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in a real headless Chromium (Debian's, driven by Playwright), served by the gateway's own admin
 * listener, with traffic through the gateway's proxy port. Screenshots land in {@code target/dashboard*.png}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("tandem.chromium", "/usr/bin/chromium"));
    private static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync");
    private static final String TOKEN = "s3cret-token";

    private static TestBackend django;
    private static TestBackend fastapi;
    private static TestGateway gateway;
    private static Playwright playwright;
    private static Browser browser;
    private static final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private BrowserContext context;
    private Page page;
    private final List<String> pageErrors = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail("The dashboard test drives Debian's Chromium and there is none at " + CHROMIUM
                    + ": install the package with `apt-get update && apt-get install -y chromium`"
                    + " (or point -Dtandem.chromium at another Chromium binary)");
        }
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort(); // closed again: nothing listens there
        }
        gateway = TestGateway.start("""
                admin { token = "%s" }
                backends {
                  django  { url = "%s" }
                  fastapi { url = "%s" }
                  legacy  { url = "http://127.0.0.1:%d", connect-timeout = 1s }
                }
                routes = [
                  { name = products-read, match { prefix = "/api/products", methods = [GET, HEAD] }, backend = fastapi }
                  { name = orders,        match { prefix = "/api/orders" },  backend = django }
                  { name = search,        match { prefix = "/api/search" },  backend = django }
                  { name = legacy,        match { prefix = "/legacy" },      backend = legacy }
                  { name = catalog,       match { regex = "/echo|/api/catalog/.*" }, backend = django,
                    mirror { to = fastapi } }
                  { name = core,          match { prefix = "/" },            backend = django }
                ]
                """.formatted(TOKEN, django.url(), fastapi.url(), deadPort));

        // The driver bundle carries its own Node; no browser is downloaded, Debian's Chromium is launched instead.
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(CHROMIUM_ARGS));
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
    }

    @AfterAll
    static void stop() {
        // The browser first: it holds the event stream open on the admin listener.
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (django != null) {
            django.close();
        }
        if (fastapi != null) {
            fastapi.close();
        }
    }

    @BeforeEach
    void openContext() {
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1680, 940));
        page = context.newPage();
        page.onPageError(error -> pageErrors.add(error));
        page.onConsoleMessage(message -> {
            // Error answers the tests provoke (401, a failing stream) are logged by the browser itself; not those.
            String text = message.text();
            if (message.type().equals("error") && !text.startsWith("Failed to load resource")
                    && !text.startsWith("EventSource's response")) {
                pageErrors.add(text);
            }
        });
    }

    @AfterEach
    void closeContext() {
        context.close();
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + gateway.server().adminPort() + path;
    }

    private Locator row(String route) {
        return page.locator("tr[data-route='" + route + "']");
    }

    private Locator cell(String route, String backend, String metric) {
        return row(route).locator("[data-backend='" + backend + "'][data-metric='" + metric + "']");
    }

    private int updates() {
        return Integer.parseInt((String) page.evaluate("() => document.body.dataset.updates || '0'"));
    }

    /** Waits until the page has taken in {@code more} further snapshots. */
    private void waitForUpdates(int more) {
        int target = updates() + more;
        page.waitForFunction("n => Number(document.body.dataset.updates || 0) >= n", target,
                new Page.WaitForFunctionOptions().setTimeout(15_000));
    }

    private void screenshot(String name) throws IOException {
        Path file = Path.of("target", name);
        Files.createDirectories(file.getParent());
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        assertThat(Files.size(file)).isGreaterThan(10_000);
    }

    private static int get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void showsEveryConfiguredRouteLiveAndTheNumbersMoveWithTraffic() throws Exception {
        page.navigate(admin("/"));

        assertThat(page).hasTitle(Pattern.compile("Tandem"));
        assertThat(page.locator("tbody tr[data-route]")).hasCount(6);
        assertThat(row("products-read").locator(".route-match")).hasText("prefix /api/products methods GET,HEAD");
        assertThat(row("orders").locator(".route-match")).hasText("prefix /api/orders");
        assertThat(row("legacy")).isVisible();
        assertThat(row("core").locator(".route-match")).hasText("prefix / (catch-all)");
        assertThat(row("products-read").locator(".weights-legend")).hasText("FastAPI 100%");
        assertThat(row("products-read").locator("td.absent[data-backend='django']")).hasText("not on this route");
        assertThat(row("orders").locator(".weights-legend")).hasText("Django 100%");
        // Over Server-Sent Events, with Chart.js from the WebJar drawing two charts per route.
        assertThat(page.locator("#conn")).hasAttribute("data-state", "live");
        assertThat(page.evaluate("() => typeof window.Chart")).isEqualTo("function");
        assertThat(page.locator("td.col-trend canvas")).hasCount(12);
        assertThat(cell("products-read", "fastapi", "requests")).hasAttribute("data-value", "0");
        assertThat(cell("products-read", "fastapi", "p50_ms")).hasText("—");

        for (int i = 0; i < 40; i++) {
            assertThat(get("/api/products/" + i)).isEqualTo(200);
        }
        for (int i = 0; i < 25; i++) {
            assertThat(get("/api/orders/" + i)).isEqualTo(200);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(get("/legacy/page")).isEqualTo(502);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(get("/about")).isEqualTo(200);
        }

        assertThat(cell("products-read", "fastapi", "requests")).hasAttribute("data-value", "40");
        assertThat(cell("products-read", "fastapi", "requests")).hasText("40 req");
        assertThat(cell("orders", "django", "requests")).hasAttribute("data-value", "25");
        assertThat(cell("core", "django", "requests")).hasAttribute("data-value", "10");
        assertThat(cell("products-read", "fastapi", "rps").locator(".value")).not().hasText(Pattern.compile("^(0|—)$"));
        assertThat(Double.parseDouble(cell("products-read", "fastapi", "rps").getAttribute("data-value")))
                .isGreaterThan(0);
        assertThat(cell("products-read", "fastapi", "p50_ms")).not().hasText("—");
        assertThat(cell("products-read", "fastapi", "p99_ms")).not().hasText("—");
        assertThat(cell("products-read", "fastapi", "error_rate")).hasText("0%");
        // Every request to the route whose backend refuses connections failed: shown in red.
        assertThat(cell("legacy", "legacy", "error_rate")).hasText("100.0%");
        assertThat(cell("legacy", "legacy", "error_rate")).hasClass(Pattern.compile("\\bbad\\b"));
        assertThat(row("products-read").locator("td.col-ratio .value")).hasText("—");

        waitForUpdates(3); // a few points on the charts before the picture
        screenshot("dashboard.png");
        assertThat(pageErrors).isEmpty();
    }

    @Test
    void assetsComeFromTheAdminListenerIncludingChartJsFromTheWebJar() throws Exception {
        HttpResponse<String> chart = client.send(HttpRequest.newBuilder(URI.create(admin("/assets/chart.umd.js")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/javascript"));
        assertThat(chart.body()).contains("Chart.js v4.5.1");
        assertThat(getClass().getClassLoader().getResource(DashboardDevServer.CHART_JS)).isNotNull();

        // Nothing the page loads comes from anywhere but the admin listener.
        List<String> requested = new CopyOnWriteArrayList<>();
        page.onRequest(request -> requested.add(request.url()));
        page.navigate(admin("/"));
        assertThat(page.locator("tbody tr[data-route]")).hasCount(6);
        assertThat(requested).isNotEmpty()
                .allSatisfy(url -> assertThat(url).startsWith(admin("/")));
        assertThat(requested).contains(admin("/assets/dashboard.js"), admin("/assets/dashboard.css"),
                admin("/assets/chart.umd.js"));
        assertThat(pageErrors).isEmpty();
    }

    @Test
    void aWeightChangeWithAWrongTokenShowsTheServersMessage() {
        page.navigate(admin("/"));
        Locator edit = row("orders").locator("button.edit");
        assertThat(edit).isDisabled();

        page.locator("#token").fill("not-the-token");
        assertThat(edit).isEnabled();
        assertThat(page.evaluate("() => sessionStorage.getItem('tandem.adminToken')")).isEqualTo("not-the-token");
        edit.click();
        row("orders").locator("input[data-backend='django']").fill("80");
        row("orders").locator(".weights-editor button[type=submit]").click();

        Locator error = row("orders").locator(".weights-error");
        assertThat(error).isVisible();
        assertThat(error).containsText("HTTP 401");
        assertThat(error).containsText("missing or wrong bearer token");

        // The token is kept for the tab, and survives a reload.
        page.reload();
        assertThat(page.locator("#token")).hasValue("not-the-token");
        page.locator("#token-clear").click();
        assertThat(page.evaluate("() => sessionStorage.getItem('tandem.adminToken')")).isNull();
        assertThat(row("orders").locator("button.edit")).isDisabled();
    }

    @Test
    void splitsARouteFromThePageThenComparesBothBackendsOnItsTraffic() throws Exception {
        page.navigate(admin("/"));
        Locator search = row("search");
        assertThat(search.locator(".weights-legend")).hasText("Django 100%");
        assertThat(search.locator("td.absent[data-backend='fastapi']")).isVisible();

        page.locator("#token").fill(TOKEN);
        search.locator("button.edit").click();
        // The editor offers FastAPI too, at 0, though the route does not have it yet.
        assertThat(search.locator(".weights-editor input")).hasCount(2);
        assertThat(search.locator("input[data-backend='fastapi']")).hasValue("0");
        search.locator("input[data-backend='django']").fill("90");
        search.locator(".weights-editor button[type=submit]").click();
        assertThat(search.locator(".weights-error")).hasText("HTTP 400: weights: sum 90 (expected: 100)");

        search.locator("input[data-backend='django']").fill("50");
        search.locator("input[data-backend='fastapi']").fill("50");
        search.locator(".weights-editor button[type=submit]").click();
        assertThat(search.locator(".weights-editor")).hasCount(0);
        assertThat(search.locator(".weights-legend")).hasText(Pattern.compile("Django 50%\\s*FastAPI 50%"));
        assertThat(cell("search", "fastapi", "requests")).hasAttribute("data-value", "0");
        HttpResponse<String> routes = client.send(HttpRequest.newBuilder(URI.create(admin("/api/routes"))).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(routes.body()).contains("\"route\":\"search\"", "\"weights\":{\"django\":50,\"fastapi\":50}");

        for (int i = 0; i < 60; i++) {
            assertThat(get("/api/search?q=" + i)).isEqualTo(200);
        }
        // A snapshot taken while the requests were still going shows fewer: wait for one with all of them.
        page.waitForFunction("""
                () => ['django', 'fastapi'].map(b => Number(document.querySelector(
                    `tr[data-route='search'] [data-backend='${b}'][data-metric='requests']`)?.dataset.value))
                    .reduce((a, b) => a + b) === 60
                """, null, new Page.WaitForFunctionOptions().setTimeout(15_000));
        assertThat(Integer.parseInt(cell("search", "django", "requests").getAttribute("data-value"))).isPositive();
        assertThat(Integer.parseInt(cell("search", "fastapi", "requests").getAttribute("data-value"))).isPositive();
        assertThat(search.locator("td.col-ratio .value")).hasText(Pattern.compile("^\\d+\\.\\d\\d×$"));
        assertThat(search.locator("td.col-ratio .verdict")).hasText(Pattern.compile("FastAPI (faster|slower)|on par"));
        assertThat(pageErrors).isEmpty();
    }

    /**
     * The page against a made-up stats document ({@link FakeStats}, through Playwright's request interception) with
     * exact numbers to check the formatting against; the event stream is made to fail, so this also covers the
     * fallback to polling {@code /api/stats}.
     */
    @Test
    void fallsBackToPollingAndFormatsRatiosAndErrors() throws Exception {
        FakeStats fake = new FakeStats();
        page.route("**/api/stream", route -> route.fulfill(new Route.FulfillOptions().setStatus(503)
                .setContentType("application/json").setBody(DashboardDevServer.error(503, "no stream today"))));
        page.route("**/api/stats", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody(fake.next())));

        page.navigate(admin("/"));
        assertThat(page.locator("tbody tr[data-route]")).hasCount(5);
        assertThat(page.locator("#conn")).hasAttribute("data-state", "polling");

        Locator split = row("products-read");
        assertThat(split.locator(".weights-legend")).hasText(Pattern.compile("Django 50%\\s*FastAPI 50%"));
        assertThat(cell("products-read", "django", "p50_ms")).not().hasText("—");
        assertThat(cell("products-read", "fastapi", "p50_ms")).not().hasText("—");
        assertThat(split.locator("td.col-ratio .value")).hasText("0.42×");
        assertThat(split.locator("td.col-ratio .verdict")).hasText("FastAPI faster");
        assertThat(split.locator(".route-mirror .mirror-summary"))
                .hasText("mirrored to FastAPI · 1,204 compared · 99.75% same · paired p50 0.42×");
        assertThat(split.locator(".route-mirror")).hasClass(Pattern.compile("\\bmismatch\\b"));
        assertThat(row("search").locator(".route-mirror")).isHidden();
        assertThat(row("search").locator("td.col-ratio .value")).hasText("1.20×");
        assertThat(row("search").locator("td.col-ratio .verdict")).hasText("FastAPI slower");
        assertThat(cell("orders-write", "django", "error_rate")).hasText("3.10%");
        assertThat(cell("orders-write", "django", "error_rate")).hasClass(Pattern.compile("\\bvery-bad\\b"));
        assertThat(row("orders-write").locator("td.absent[data-backend='fastapi']")).isVisible();
        assertThat(cell("stock-feed", "fastapi", "error_rate")).hasText("—");
        assertThat(cell("stock-feed", "fastapi", "p99_ms")).hasText("—");

        // The window and chart percentile selectors.
        assertThat(cell("admin", "django", "requests")).hasAttribute("data-value", "21");
        page.locator("#window").selectOption("10m");
        assertThat(cell("admin", "django", "requests")).hasAttribute("data-value", "210");
        assertThat(cell("admin", "django", "requests")).hasText("210 req");
        page.locator("#percentile").selectOption("p50_ms");
        assertThat(row("admin").locator(".chart-label").nth(1)).containsText("p50 ms");
        page.locator("#window").selectOption("1m");
        page.locator("#percentile").selectOption("p99_ms");

        waitForUpdates(4);
        screenshot("dashboard-fake.png");
        assertThat(pageErrors).isEmpty();
    }

    /**
     * An admin listener bound off loopback wants the token for reads too (here made to, by interception): the page
     * says so, and once the token is entered it polls with it, since an EventSource cannot send the header.
     */
    @Test
    void readsWithTheTokenWhenTheAdminServerAsksForIt() {
        FakeStats fake = new FakeStats();
        List<String> authorisations = new CopyOnWriteArrayList<>();
        page.route("**/api/{stats,stream}", route -> {
            String authorization = route.request().headers().get("authorization");
            authorisations.add(String.valueOf(authorization));
            if (!("Bearer " + TOKEN).equals(authorization)) {
                route.fulfill(new Route.FulfillOptions().setStatus(401).setContentType("application/json")
                        .setBody(DashboardDevServer.error(401, "missing or wrong bearer token")));
            } else {
                route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("application/json")
                        .setBody(fake.next()));
            }
        });

        page.navigate(admin("/"));
        assertThat(page.locator("#banner")).containsText("wants the admin token for reads");
        assertThat(page.locator("#conn")).hasAttribute("data-state", "offline");
        assertThat(page.locator("tbody tr[data-route]")).hasCount(0);

        page.locator("#token").fill(TOKEN);
        assertThat(page.locator("tbody tr[data-route]")).hasCount(5);
        assertThat(page.locator("#conn")).hasAttribute("data-state", "polling");
        assertThat(page.locator("#banner")).isHidden();
        assertThat(authorisations).contains("null", "Bearer " + TOKEN);
        assertThat(pageErrors).isEmpty();
    }

    private Locator mirrorPanel(String route) {
        return page.locator("tr.mirror-row[data-mirror-route='" + route + "']");
    }

    private static Locator count(Locator panel, String key) {
        return panel.locator("[data-count='" + key + "']");
    }

    /** What the ratio chart of a panel holds: {@code {pairs, tallest bar's octave, x min, x max, tick labels}}. */
    private Map<String, Object> ratioChart(Locator panel) {
        @SuppressWarnings("unchecked")
        Map<String, Object> chart = (Map<String, Object>) panel.locator("canvas").evaluate("""
                canvas => {
                  const chart = Chart.getChart(canvas);
                  const data = chart.data.datasets[0].data;
                  const tallest = data.reduce((a, b) => (b.y > a.y ? b : a), data[0]);
                  return { pairs: data.reduce((sum, d) => sum + d.y, 0), tallest: tallest.x,
                           min: chart.scales.x.min, max: chart.scales.x.max,
                           ticks: chart.scales.x.ticks.map(t => t.label).join(' '),
                           width: canvas.width, height: canvas.height };
                }
                """);
        return chart;
    }

    /**
     * A route of the real gateway mirrored from Django to FastAPI: {@code /echo} answers the same from both (matches),
     * {@code /api/catalog/*} answers {@code name:path} (a body difference each). The details panel shows what
     * {@code GET /api/mirrors} says, and reads it only while open.
     */
    @Test
    void mirrorDetailsOfARealMirroredRouteShowWhatTheAdminApiSays() throws Exception {
        List<String> mirrorReads = new CopyOnWriteArrayList<>();
        page.onRequest(request -> {
            if (request.url().endsWith("/api/mirrors")) {
                mirrorReads.add(request.url());
            }
        });
        page.navigate(admin("/"));
        Locator catalog = row("catalog");
        // The gateway reports a route's mirroring from its first mirrored request on.
        assertThat(catalog.locator(".route-mirror")).isHidden();

        for (int i = 0; i < 8; i++) {
            assertThat(get("/api/catalog/" + i)).isEqualTo(200);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(get("/echo?i=" + i)).isEqualTo(200);
        }
        ObjectMapper json = new ObjectMapper();
        AtomicReference<JsonNode> compared = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            String body = client.send(HttpRequest.newBuilder(URI.create(admin("/api/mirrors"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode route : json.readTree(body).path("routes")) {
                if (route.path("route").asText().equals("catalog") && route.path("matched").asLong() >= 20
                        && route.path("mismatched").asLong() >= 8) {
                    compared.set(route);
                    return true;
                }
            }
            return false;
        });
        JsonNode api = compared.get();
        assertThat(catalog.locator(".route-mirror .mirror-summary")).containsText("mirrored to FastAPI");
        Locator toggle = catalog.locator(".route-mirror button.mirror-toggle");
        assertThat(toggle).hasAttribute("aria-expanded", "false");
        assertThat(mirrorReads).as("nothing reads /api/mirrors while no details are open").isEmpty();

        toggle.click();
        assertThat(toggle).hasAttribute("aria-expanded", "true");
        assertThat(toggle).hasText("hide details");
        Locator panel = mirrorPanel("catalog");
        assertThat(panel.locator(".mirror-panel")).hasAttribute("data-state", "ready");
        assertThat(count(panel, "matched")).hasAttribute("data-value", api.path("matched").asText());
        assertThat(count(panel, "mismatched")).hasAttribute("data-value", api.path("mismatched").asText());
        assertThat(count(panel, "errors")).hasAttribute("data-value", "0");
        assertThat(count(panel, "matched").locator("dd")).hasText(api.path("matched").asText());
        assertThat(count(panel, "mismatched").locator("dd")).hasText(api.path("mismatched").asText());
        assertThat(Double.parseDouble(panel.locator(".mp-rate-value").getAttribute("data-value")))
                .isEqualTo(api.path("match_rate").asDouble());
        assertThat(panel.locator(".mp-since")).containsText("since ");
        assertThat(panel.locator(".mp-pairing")).containsText("Django answers the clients; FastAPI gets a copy");

        // Every difference as text, request line first; the newest mismatch on top.
        Locator sample = panel.locator(".mp-sample[data-request='GET /api/catalog/7']");
        assertThat(sample).hasCount(1);
        assertThat(sample.locator(".mp-request-line")).hasText("GET /api/catalog/7");
        assertThat(sample.locator(".mp-diff-line")).hasText("body: django:/api/catalog/7 ≠ fastapi:/api/catalog/7");
        assertThat(sample.locator(".mp-diff-line"))
                .hasAttribute("data-difference", "body: django:/api/catalog/7 != fastapi:/api/catalog/7");
        assertThat(panel.locator(".mp-sample")).hasCount(api.path("mismatch_samples").size());
        assertThat(panel.locator(".mp-sample").first().locator(".mp-request-line"))
                .hasText(api.path("mismatch_samples").get(0).path("request").asText());

        // The paired latency ratio: Django primary, FastAPI shadow, so as measured (FastAPI / Django).
        long pairs = 0;
        for (JsonNode bucket : api.path("latency_ratio_histogram")) {
            pairs += bucket.get(1).asLong();
        }
        assertThat(pairs).isEqualTo(api.path("matched").asLong() + api.path("mismatched").asLong());
        assertThat(panel.locator(".mp-latency h3")).hasText("Paired latency · FastAPI / Django");
        assertThat(panel.locator("[data-field='pairs']")).hasText(pairs + " pairs");
        assertThat(Double.parseDouble(panel.locator("[data-field='ratio_p50']").getAttribute("data-value")))
                .isEqualTo(api.path("latency_ratio_p50").asDouble());
        assertThat(panel.locator("[data-field='ratio_p50'] b")).hasText(Pattern.compile("^\\d+\\.\\d\\d×$"));
        assertThat(panel.locator(".mirror-panel")).hasAttribute("data-inverted", "false");
        assertThat(panel.locator("canvas")).hasCount(1);
        assertThat(panel.locator(".mp-chart-empty")).isHidden();
        Map<String, Object> chart = ratioChart(panel);
        assertThat(((Number) chart.get("pairs")).longValue()).isEqualTo(pairs);
        assertThat(((Number) chart.get("width")).intValue()).isGreaterThan(200);
        assertThat((String) chart.get("ticks")).contains("×1/4 ×1/2 ×1 ×2 ×4");

        waitForUpdates(2);
        screenshot("dashboard-mirror.png");

        // Closed: the panel goes and so do the reads.
        assertThat(mirrorReads).isNotEmpty();
        toggle.click();
        assertThat(mirrorPanel("catalog")).hasCount(0);
        assertThat(toggle).hasAttribute("aria-expanded", "false");
        int reads = mirrorReads.size();
        page.waitForTimeout(2500);
        assertThat(mirrorReads).hasSize(reads);
        assertThat(pageErrors).isEmpty();
    }

    /**
     * Made-up mirroring results with exact numbers ({@link FakeStats#mirrors()}): the counts, the ratio's quantiles and
     * distribution, the noisy fields, and mismatch samples whose markup must stay text. Reads of {@code /api/mirrors}
     * come about every 2 s while the panel is open, not with every stats snapshot, and stop when it closes.
     */
    @Test
    void mirrorDetailsShowExactNumbersAndServerTextOnlyAsText() throws Exception {
        FakeStats fake = new FakeStats();
        List<Long> mirrorReads = new CopyOnWriteArrayList<>();
        page.route("**/api/stream", route -> route.fulfill(new Route.FulfillOptions().setStatus(503)
                .setContentType("application/json").setBody(DashboardDevServer.error(503, "no stream today"))));
        page.route("**/api/stats", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody(fake.next())));
        page.route("**/api/mirrors", route -> {
            mirrorReads.add(System.nanoTime());
            route.fulfill(new Route.FulfillOptions().setStatus(200).setContentType("application/json")
                    .setBody(fake.mirrors()));
        });
        page.onDialog(dialog -> {
            pageErrors.add("a dialog opened: " + dialog.message());
            dialog.dismiss();
        });

        page.navigate(admin("/"));
        Locator split = row("products-read");
        assertThat(split.locator(".mirror-summary"))
                .hasText("mirrored to FastAPI · 1,204 compared · 99.75% same · paired p50 0.42×");
        assertThat(row("search").locator(".mirror-toggle")).isHidden();
        split.locator(".mirror-toggle").click();

        Locator panel = mirrorPanel("products-read");
        assertThat(panel.locator(".mirror-panel")).hasAttribute("data-state", "ready");
        assertThat(panel.locator(".mp-rate-value")).hasText("99.75%");
        assertThat(panel.locator(".mp-rate-sub")).containsText("same, of 1,204 compared · 1,204 mirrored");
        assertThat(panel.locator(".mp-count dd")).hasText(new String[] {"1,196", "3", "5", "0", "0"});
        assertThat(panel.locator(".mp-count dt"))
                .hasText(new String[] {"matched", "mismatched", "noise", "dropped", "errors"});
        assertThat(panel.locator(".mp-since")).containsText("(30m ");
        assertThat(panel.locator(".mp-latency h3")).hasText("Paired latency · FastAPI / Django");
        assertThat(panel.locator(".mp-ratio-stats")).hasText("p50 0.42× · p90 0.71× · 1,204 pairs");
        assertThat(panel.locator(".mp-field")).hasText(new String[] {"$.generated_at", "$.request_id"});
        assertThat(panel.locator(".mp-chart-empty")).isHidden();
        Map<String, Object> chart = ratioChart(panel);
        assertThat(((Number) chart.get("pairs")).intValue()).isEqualTo(1204);
        assertThat(((Number) chart.get("tallest")).doubleValue()).isEqualTo(-1.25);
        assertThat(((Number) chart.get("min")).doubleValue()).isEqualTo(-2.125);
        assertThat(((Number) chart.get("max")).doubleValue()).isEqualTo(2.125);
        assertThat((String) chart.get("ticks")).isEqualTo("×1/4 ×1/2 ×1 ×2 ×4");

        Locator samples = panel.locator(".mp-sample");
        assertThat(samples).hasCount(3);
        assertThat(samples.locator(".mp-request-line")).hasText(new String[] {"GET /api/products/?page=2",
            "GET /api/products/17", "GET /api/products/search?q=<script>alert(2)</script>"});
        assertThat(samples.nth(0).locator(".mp-diff-line"))
                .hasText(new String[] {"$.results.1.name: \"Cup\" ≠ \"Bowl\"", "$.count: 48 ≠ 47"});
        assertThat(samples.nth(2).locator(".mp-diff-line"))
                .hasText("$.description: " + FakeStats.MARKUP + " ≠ \"bold\"");
        assertThat(panel.locator("img, script, .mp-samples b")).hasCount(0);
        assertThat(panel.locator(".mp-legend")).hasText("each line: where: Django's answer ≠ FastAPI's answer");

        // Reads on their own clock: about one in 2 s while the stats come every second.
        int reads = mirrorReads.size();
        int updates = updates();
        page.waitForTimeout(4200);
        assertThat(updates() - updates).isGreaterThanOrEqualTo(3);
        assertThat(mirrorReads.size() - reads).isBetween(1, 3);

        waitForUpdates(1);
        screenshot("dashboard-mirror-fake.png");
        split.locator(".mirror-toggle").click();
        assertThat(panel).hasCount(0);
        reads = mirrorReads.size();
        page.waitForTimeout(2500);
        assertThat(mirrorReads).hasSize(reads);
        assertThat(pageErrors).isEmpty();
    }

    /**
     * A route that answers from FastAPI and mirrors to Django: the gateway measures Django / FastAPI there, and the
     * page turns it round so that it reads FastAPI / Django like everywhere else, quantiles included (the p90 of the
     * inverse is not the inverse of the p90).
     */
    @Test
    void mirrorDetailsInvertARatioMeasuredTheOtherWayRound() {
        FakeStats fake = new FakeStats().mirrorFromFastApi();
        page.route("**/api/stream", route -> route.fulfill(new Route.FulfillOptions().setStatus(503)
                .setContentType("application/json").setBody(DashboardDevServer.error(503, "no stream today"))));
        page.route("**/api/stats", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody(fake.next())));
        page.route("**/api/mirrors", route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                .setContentType("application/json").setBody(fake.mirrors())));

        page.navigate(admin("/"));
        Locator split = row("products-read");
        assertThat(split.locator(".mirror-summary")).hasText(
                "mirrored to Django · 1,204 compared · 99.75% same · paired p50 0.42×");
        split.locator(".mirror-toggle").click();
        Locator panel = mirrorPanel("products-read");
        assertThat(panel.locator(".mirror-panel")).hasAttribute("data-inverted", "true");
        assertThat(panel.locator(".mp-latency h3")).hasText("Paired latency · FastAPI / Django");
        assertThat(panel.locator(".mp-ratio-stats")).hasText("p50 0.42× · p90 0.71× · 1,204 pairs");
        assertThat(panel.locator(".mp-note")).containsText("The gateway measures Django / FastAPI");
        assertThat(panel.locator(".mp-note")).containsText("inverted here");
        assertThat(panel.locator(".mp-pairing")).containsText("FastAPI answers the clients; Django gets a copy");
        Map<String, Object> chart = ratioChart(panel);
        assertThat(((Number) chart.get("tallest")).doubleValue()).isEqualTo(-1.25);
        assertThat(((Number) chart.get("pairs")).intValue()).isEqualTo(1204);
        // The differences keep the gateway's order, primary first.
        assertThat(panel.locator(".mp-legend")).hasText("each line: where: FastAPI's answer ≠ Django's answer");
        assertThat(panel.locator(".mp-sample").first().locator(".mp-diff-line").first())
                .hasText("$.results.1.name: \"Bowl\" ≠ \"Cup\"");
        assertThat(pageErrors).isEmpty();
    }
}
