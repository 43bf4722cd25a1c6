package dev.tandem.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import io.micrometer.core.instrument.Meter;
import java.net.ServerSocket;
import java.time.Duration;
import org.awaitility.Awaitility;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin listener over real HTTP: health, readiness, Prometheus, the stats API and authorisation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminServerTest {
    private static TestBackend django;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        django = TestBackend.start("django");
        gateway = TestGateway.start("""
                admin { token = "s3cret" }
                backends { django { url = "%s" } }
                routes = [
                  { name = admin, match { prefix = "/admin" }, backend = django }
                  { name = api,   match { prefix = "/api" },   backend = django }
                ]
                """.formatted(django.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        django.close();
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(adminUri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.server().adminPort() + path);
    }

    private static HttpResponse<String> proxied(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndReadinessAnswerWhenBackendsAreUp() throws Exception {
        assertThat(admin("/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
        HttpResponse<String> ready = admin("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("ready");
    }

    @Test
    void readinessNamesTheBackendsThatAreDown() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        try (TestGateway withDead = TestGateway.start("""
                backends { django { url = "%s" }, gone { url = "http://127.0.0.1:%d" } }
                routes = [ { name = a, match { prefix = "/a" }, backend = django }
                           { name = b, match { prefix = "/b" }, backend = gone } ]
                """.formatted(django.url(), deadPort))) {
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + withDead.server().adminPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("{\"status\":\"not_ready\",\"unreachable_backends\":[\"gone\"]}");
        }
    }

    @Test
    void prometheusExpositionHasPerRouteAndBackendMeters() throws Exception {
        proxied("/api/products");
        proxied("/admin/");

        String metrics = admin("/metrics").body();

        assertThat(metrics).containsPattern(
                "tandem_requests_seconds_count\\{backend=\"django\",method=\"GET\",outcome=\"success\","
                        + "route=\"api\",status=\"2xx\"} [1-9]");
        assertThat(metrics).contains("tandem_requests_seconds_bucket{").contains("tandem_requests_active{")
                .contains("tandem_upstream_connections{backend=\"django\",state=\"idle\"}");
        assertThat(metrics).containsPattern("tandem_response_bytes_total\\{backend=\"django\",route=\"api\"} [1-9]")
                .containsPattern("tandem_upstream_ttfb_seconds_count\\{backend=\"django\",route=\"api\"} [1-9]")
                .containsPattern("tandem_upstream_ttfb_seconds_sum\\{backend=\"django\",route=\"api\"} [0-9.E-]+");
    }

    @Test
    void aFloodOfRandomPathsDoesNotGrowTheMeterCount() throws Exception {
        proxied("/nowhere/warm-up");
        // The gateway records just after it answers: wait for the unmatched timer to exist.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> gateway.server().registry()
                .find("tandem.requests").tag("route", "unmatched").timer() != null);
        var before = gateway.server().registry().getMeters().stream().map(Meter::getId).toList();
        for (int i = 0; i < 200; i++) {
            proxied("/random/" + ThreadLocalRandom.current().nextLong() + "?q=" + i);
        }
        var after = gateway.server().registry().getMeters().stream().map(Meter::getId).toList();

        assertThat(after).containsExactlyInAnyOrderElementsOf(before);
        assertThat(gateway.server().registry().getMeters()).extracting(Meter::getId)
                .filteredOn(id -> id.getTag("route") != null)
                .extracting(id -> id.getTag("route"))
                .containsOnly("admin", "api", "unmatched");
    }

    @Test
    void statsReportRequestsPerRouteAndBackend() throws Exception {
        for (int i = 0; i < 5; i++) {
            proxied("/admin/x" + i);
        }

        String stats = admin("/api/stats").body();

        assertThat(stats).contains("\"route\":\"admin\"").contains("\"match\":\"prefix /admin\"")
                .contains("\"weights\":{\"django\":100}").containsPattern("\"requests\":[1-9]")
                .contains("\"p99_ms\":");
        assertThat(admin("/api/routes").body())
                .isEqualTo("{\"routes\":[{\"route\":\"admin\",\"match\":\"prefix /admin\",\"weights\":{\"django\":100}},"
                        + "{\"route\":\"api\",\"match\":\"prefix /api\",\"weights\":{\"django\":100}}]}");
    }

    @Test
    void changesNeedTheBearerToken() throws Exception {
        HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(adminUri("/api/routes/api/weights"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"weights\":{\"django\":100}}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tandem-admin\"");
    }

    @Test
    void unknownAdminPathIs404Json() throws Exception {
        HttpResponse<String> response = admin("/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"message\":\"no admin endpoint /nope\"");
    }
}
