package dev.tandem.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Weighted, sticky splits and runtime weight changes through the admin API, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrafficShiftTest {
    private static TestBackend django;
    private static TestBackend fastapi;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
    }

    @AfterAll
    static void stop() {
        django.close();
        fastapi.close();
    }

    private static String config(int djangoWeight, int fastapiWeight, String extra) {
        return """
                admin { token = "t0ken" }
                traffic { override-header = "X-Tandem-Backend" %s }
                backends { django { url = "%s" }, fastapi { url = "%s" } }
                routes = [ { name = products, match { prefix = "/api/products" },
                             split { django = %d, fastapi = %d }, sticky { cookie = "sessionid" } } ]
                """.formatted(extra, django.url(), fastapi.url(), djangoWeight, fastapiWeight);
    }

    private static String backendFor(TestGateway gateway, String session) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/api/products"))
                .header("Cookie", "sessionid=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("X-Tandem-Backend").orElseThrow();
    }

    private static HttpResponse<String> admin(TestGateway gateway, String method, String path, String body,
            String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.server().adminPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStickyClientKeepsItsBackendAndClientsSpreadByWeight() throws Exception {
        try (TestGateway gateway = TestGateway.start(config(50, 50, ""))) {
            int onFastapi = 0;
            for (int i = 0; i < 200; i++) {
                String first = backendFor(gateway, "s" + i);
                assertThat(backendFor(gateway, "s" + i)).isEqualTo(first);
                if (first.equals("fastapi")) {
                    onFastapi++;
                }
            }
            assertThat(onFastapi).isBetween(60, 140);
        }
    }

    @Test
    void theOverrideHeaderPicksABackendOfTheRouteAndRejectsOthers() throws Exception {
        try (TestGateway gateway = TestGateway.start(config(100, 0, ""))) {
            HttpResponse<String> forced = client.send(HttpRequest.newBuilder(gateway.uri("/api/products"))
                    .header("X-Tandem-Backend", "fastapi").build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(gateway.uri("/api/products"))
                    .header("X-Tandem-Backend", "flask").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(forced.body()).isEqualTo("fastapi:/api/products");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("'flask' does not serve route 'products'");
        }
    }

    @Test
    void aRuntimeWeightChangeAppliesToNewRequestsIsAuditedAndSurvivesARestart(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("tandem-state.json");
        String conf = config(100, 0, ", state-file = \"" + state + "\"");
        try (TestGateway gateway = TestGateway.start(conf)) {
            assertThat(backendFor(gateway, "alice")).isEqualTo("django");

            HttpResponse<String> changed = admin(gateway, "PUT", "/api/routes/products/weights",
                    "{\"weights\":{\"django\":0,\"fastapi\":100}}", "t0ken");

            assertThat(changed.statusCode()).isEqualTo(200);
            assertThat(changed.body()).contains("\"weights\":{\"django\":0,\"fastapi\":100}")
                    .contains("\"previous\":{\"django\":100,\"fastapi\":0}");
            assertThat(backendFor(gateway, "alice")).isEqualTo("fastapi");
            assertThat(admin(gateway, "GET", "/api/audit", null, null).body())
                    .contains("\"route\":\"products\"").contains("\"action\":\"set\"")
                    .contains("\"new\":{\"django\":0,\"fastapi\":100}");
        }
        assertThat(Files.readString(state)).contains("\"fastapi\" : 100");
        try (TestGateway restarted = TestGateway.start(conf)) {
            assertThat(backendFor(restarted, "alice")).isEqualTo("fastapi");

            HttpResponse<String> cleared = admin(restarted, "DELETE", "/api/routes/products/weights", null, "t0ken");

            assertThat(cleared.body()).contains("\"weights\":{\"django\":100,\"fastapi\":0}");
            assertThat(backendFor(restarted, "alice")).isEqualTo("django");
        }
    }

    @Test
    void aChangeThatOnlyReordersTheWeightsMovesNoClient() throws Exception {
        try (TestGateway gateway = TestGateway.start(config(50, 50, ""))) {
            java.util.Map<String, String> before = new java.util.HashMap<>();
            for (int i = 0; i < 60; i++) {
                before.put("c" + i, backendFor(gateway, "c" + i));
            }

            HttpResponse<String> changed = admin(gateway, "PUT", "/api/routes/products/weights",
                    "{\"weights\":{\"fastapi\":50,\"django\":50}}", "t0ken");

            assertThat(changed.body()).contains("\"weights\":{\"django\":50,\"fastapi\":50}");
            for (int i = 0; i < 60; i++) {
                assertThat(backendFor(gateway, "c" + i)).isEqualTo(before.get("c" + i));
            }
        }
    }

    @Test
    void badWeightChangesAreRefusedWholeWithAClearMessage() throws Exception {
        try (TestGateway gateway = TestGateway.start(config(90, 10, ""))) {
            assertThat(admin(gateway, "PUT", "/api/routes/products/weights",
                    "{\"weights\":{\"django\":90,\"fastapi\":20}}", "t0ken").body())
                    .contains("weights: sum 110 (expected: 100)");
            assertThat(admin(gateway, "PUT", "/api/routes/products/weights",
                    "{\"weights\":{\"flask\":100}}", "t0ken").body())
                    .contains("weights.flask: unknown backend");
            assertThat(admin(gateway, "PUT", "/api/routes/nope/weights",
                    "{\"weights\":{\"django\":100}}", "t0ken").statusCode()).isEqualTo(404);
            assertThat(admin(gateway, "PUT", "/api/routes/products/weights",
                    "{\"weights\":{\"django\":0,\"fastapi\":100}}", "wrong").statusCode()).isEqualTo(401);

            assertThat(admin(gateway, "GET", "/api/routes", null, null).body())
                    .contains("\"weights\":{\"django\":90,\"fastapi\":10}");
        }
    }
}
