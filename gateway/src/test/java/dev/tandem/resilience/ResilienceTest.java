package dev.tandem.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Faults and protections, each with its status, its timing bound and its meter. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilienceTest {
    private static TestBackend django;
    private static TestBackend fastapi;
    private static int deadPort;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
    }

    @AfterAll
    static void stop() {
        django.close();
        fastapi.close();
    }

    private static HttpResponse<String> send(TestGateway gateway, String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri(path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
                        : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double counter(TestGateway gateway, String name, String... tags) {
        var counter = gateway.server().registry().find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anOpenCircuitAnswers503FastWithRetryAfter() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { dead { url = "http://127.0.0.1:%d", retry { max-attempts = 1 },
                                  circuit-breaker { minimum-calls = 4, sliding-window-size = 4, wait-in-open = 30s } } }
                routes = [ { name = all, match { prefix = "/" }, backend = dead } ]
                """.formatted(deadPort))) {
            for (int i = 0; i < 4; i++) {
                assertThat(send(gateway, "GET", "/x").statusCode()).isEqualTo(502);
            }
            long start = System.nanoTime();
            HttpResponse<String> open = send(gateway, "GET", "/x");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(open.statusCode()).isEqualTo(503);
            assertThat(open.body()).contains("backend 'dead' circuit is open");
            assertThat(open.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(millis).isLessThan(1000);
            assertThat(counter(gateway, "tandem.rejections", "reason", "circuit_open")).isEqualTo(1);
            String backends = client.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + gateway.server().adminPort() + "/api/backends")).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(backends).contains("\"backend\":\"dead\"").contains("\"state\":\"open\"")
                    .contains("\"failure_rate_percent\":100.0").contains("\"not_permitted_calls\":1");
        }
    }

    @Test
    void aSafeRequestFallsBackToTheOtherBackendAndAPostDoesNot() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends {
                  django { url = "%s" }
                  dead   { url = "http://127.0.0.1:%d", retry { max-attempts = 1 } }
                }
                routes = [ { name = products, match { prefix = "/" }, backend = dead, fallback = django } ]
                """.formatted(django.url(), deadPort))) {
            HttpResponse<String> get = send(gateway, "GET", "/api/products");
            HttpResponse<String> post = send(gateway, "POST", "/api/orders");

            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("X-Tandem-Backend")).hasValue("django");
            assertThat(post.statusCode()).isEqualTo(502);
            assertThat(django.requests("/api/orders")).isZero();
            assertThat(counter(gateway, "tandem.fallbacks", "from", "dead", "to", "django")).isEqualTo(1);
        }
    }

    @Test
    void connectFailuresAreRetriedWithinTheBudgetForIdempotentMethodsOnly() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { dead { url = "http://127.0.0.1:%d", retry { max-attempts = 3, backoff = 5ms },
                                  circuit-breaker { enabled = false } } }
                routes = [ { name = all, match { prefix = "/" }, backend = dead } ]
                """.formatted(deadPort))) {
            assertThat(send(gateway, "GET", "/x").statusCode()).isEqualTo(502);
            assertThat(counter(gateway, "tandem.retries", "backend", "dead")).isEqualTo(2);

            assertThat(send(gateway, "POST", "/x").statusCode()).isEqualTo(502);
            assertThat(counter(gateway, "tandem.retries", "backend", "dead")).isEqualTo(2);
        }
    }

    @Test
    void aPostThatMayHaveReachedTheBackendIsNeverSentTwice() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s" } }
                routes = [ { name = all, match { prefix = "/" }, backend = django } ]
                """.formatted(django.url()))) {
            // Warm a keep-alive connection, so the next request goes on a reused one (the retry-prone case).
            assertThat(send(gateway, "GET", "/warm").statusCode()).isEqualTo(200);
            int before = django.requests("/close-no-response");

            HttpResponse<String> response = send(gateway, "POST", "/close-no-response");

            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(django.requests("/close-no-response") - before).isEqualTo(1);
        }
    }

    @Test
    void theBulkheadTurnsAwayRequestsAboveTheLimitAtOnce() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s", max-concurrent = 1 } }
                routes = [ { name = all, match { prefix = "/" }, backend = django } ]
                """.formatted(django.url()))) {
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(gateway.uri("/slow?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300); // the slow request holds the only permit
            long start = System.nanoTime();
            HttpResponse<String> rejected = send(gateway, "GET", "/other");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(rejected.statusCode()).isEqualTo(503);
            assertThat(rejected.body()).contains("has 1 requests in flight, its limit");
            assertThat(millis).isLessThan(1000);
            assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRateLimitedRouteAnswers429WithRetryAfter() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s" } }
                routes = [ { name = limited, match { prefix = "/" }, backend = django,
                             rate-limit { requests-per-second = 2 } } ]
                """.formatted(django.url()))) {
            int limited = 0;
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = send(gateway, "GET", "/r" + i);
                if (response.statusCode() == 429) {
                    limited++;
                    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
                }
            }
            assertThat(limited).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aRouteDeadlineCutsASlowBackendShort() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s" } }
                routes = [ { name = quick, match { prefix = "/" }, backend = django, timeout = 300ms } ]
                """.formatted(django.url()))) {
            long start = System.nanoTime();
            HttpResponse<String> response = send(gateway, "GET", "/slow?ms=3000");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(response.body()).contains("deadline of 300 ms");
            assertThat(millis).isBetween(250L, 2000L);
        }
    }

    @Test
    void aBackendFailingHealthChecksIsTakenOutAndItsRouteFallsBack() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends {
                  django  { url = "%s" }
                  fastapi { url = "%s", health-check { path = "/close-no-response", interval = 100ms,
                                                       timeout = 50ms, unhealthy-after = 2 } }
                }
                routes = [ { name = all, match { prefix = "/" }, backend = fastapi, fallback = django } ]
                """.formatted(django.url(), fastapi.url()))) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> !gateway.server().proxy().guards().guard("fastapi").healthy());

            HttpResponse<String> response = send(gateway, "GET", "/page");

            assertThat(response.headers().firstValue("X-Tandem-Backend")).hasValue("django");
            assertThat(counter(gateway, "tandem.fallbacks", "reason", "unhealthy")).isEqualTo(1);
        }
    }
}
