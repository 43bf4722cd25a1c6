package dev.tandem.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway in-process between a real HTTP client and small Netty backends, all on loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyEndToEndTest {
    private static TestBackend django;
    private static TestBackend fastapi;
    private static int deadPort;
    private static TestGateway gateway;
    private static final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() throws Exception {
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort(); // closed again: nothing listens there
        }
        gateway = TestGateway.start("""
                backends {
                  django  { url = "%s", response-timeout = 1s }
                  fastapi { url = "%s", response-timeout = 1s }
                  dead    { url = "http://127.0.0.1:%d" }
                }
                routes = [
                  { name = admin,  match { prefix = "/admin" },  backend = django }
                  { name = api-v2, match { prefix = "/api/v2" }, backend = fastapi }
                  { name = ws,     match { path = "/ws" },       backend = fastapi }
                  { name = dead,   match { prefix = "/dead" },   backend = dead }
                  { name = core,   match { prefix = "/" },       backend = django }
                ]
                """.formatted(django.url(), fastapi.url(), deadPort));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        django.close();
        fastapi.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesByPrefixAndNamesTheBackend() throws Exception {
        HttpResponse<String> admin = get("/admin/login");
        HttpResponse<String> api = get("/api/v2/products?page=2");
        HttpResponse<String> core = get("/administrator");

        assertThat(admin.body()).isEqualTo("django:/admin/login");
        assertThat(admin.headers().firstValue("X-Tandem-Backend")).hasValue("django");
        assertThat(api.body()).isEqualTo("fastapi:/api/v2/products");
        assertThat(api.headers().firstValue("X-Tandem-Backend")).hasValue("fastapi");
        // Segment-aware: /administrator is not under /admin; it falls through to core (django, not admin).
        assertThat(core.body()).isEqualTo("django:/administrator");
    }

    @Test
    void dotSegmentsAreResolvedBeforeRoutingAndTheBackendSeesTheSamePath() throws Exception {
        HttpResponse<String> response = get("/api/v2/../../admin/x");

        assertThat(response.body()).isEqualTo("django:/admin/x");
    }

    @Test
    void rewritesForwardingHeadersAndStripsHopByHopOnes() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/headers"))
                .header("X-Forwarded-For", "203.0.113.9")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Request-Id", "req-123")
                .header("Keep-Alive", "timeout=5")
                .header("Foo", "bar")
                .header("TE", "gzip")
                .build(), HttpResponse.BodyHandlers.ofString());

        String seen = response.body();
        assertThat(seen).contains("x-forwarded-for: 203.0.113.9, 127.0.0.1\n")
                .contains("x-forwarded-proto: http\n")
                .contains("x-forwarded-host: 127.0.0.1:" + gateway.port() + "\n")
                .contains("host: 127.0.0.1:" + gateway.port() + "\n")
                .contains("x-request-id: req-123\n")
                .contains("foo: bar\n")
                .doesNotContain("keep-alive:")
                .doesNotContain("te:");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-123");
    }

    @Test
    void headersNamedByConnectionAreRemoved() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /headers HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nX-Public: 2\r\n\r\n").readResponse();

            assertThat(response).contains("x-public: 2").doesNotContain("x-secret").doesNotContain("connection:");
        }
    }

    @Test
    void generatesARequestIdWhenTheClientSentNoneOrAnInvalidOne() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/headers"))
                .header("X-Request-Id", "bad id with spaces").build(), HttpResponse.BodyHandlers.ofString());

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(response.body()).contains("x-request-id: " + id + "\n");
    }

    @Test
    void unmatchedRequestGets404JsonWithTheRequestId() throws Exception {
        try (TestGateway narrow = TestGateway.start("""
                backends { django { url = "%s" } }
                routes = [ { name = admin, match { prefix = "/admin" }, backend = django } ]
                """.formatted(django.url()))) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(narrow.uri("/nowhere")).header("X-Request-Id", "r-404").build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).contains("\"status\":404").contains("\"request_id\":\"r-404\"")
                    .contains("no route matches GET /nowhere");
        }
    }

    @Test
    void keepAliveReusesOneUpstreamConnection() throws Exception {
        TestBackend backend = TestBackend.start("reuse");
        try (backend; TestGateway single = TestGateway.start("""
                backends { b { url = "%s" } }
                routes = [ { name = all, match { prefix = "/" }, backend = b } ]
                """.formatted(backend.url()))) {
            try (RawHttp raw = new RawHttp(single.port())) {
                for (int i = 0; i < 20; i++) {
                    String response = raw.send("GET /n" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
                    assertThat(response).startsWith("HTTP/1.1 200").endsWith("reuse:/n" + i);
                }
            }
            assertThat(backend.connections()).isEqualTo(1);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(raw.readResponse()).endsWith("django:/one");
            assertThat(raw.readResponse()).endsWith("django:/two");
        }
    }

    @Test
    void streamsTenMebibytesUpChunked() throws Exception {
        byte[] body = new byte[10 * 1024 * 1024];
        new java.util.Random(7).nextBytes(body);
        // An InputStream publisher has no known length, so the client sends it chunked.
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(gateway.uri("/sha256"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(sha256(body));
    }

    @Test
    void streamsTenMebibytesDownChunked() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(gateway.uri("/bytes?n=10485760")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(10 * 1024 * 1024);
        for (int i = 0; i < response.body().length; i += 4099) {
            assertThat(response.body()[i]).isEqualTo((byte) (i % 8192));
        }
    }

    @Test
    void aSlowReadingClientStillGetsTheWholeBody() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /bytes?n=4194304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Thread.sleep(700); // the gateway must hold back (backpressure), not fail, while we do not read
            InputStream in = raw.input();
            byte[] all = in.readAllBytes();
            String text = new String(all, 0, Math.min(all.length, 200), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200");
            // 4 MiB of body plus chunk framing and the head.
            assertThat(all.length).isGreaterThan(4 * 1024 * 1024);
        }
    }

    @Test
    void slowBackendGets504WithinTheResponseTimeout() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = get("/slow?ms=5000");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).contains("\"error\":\"gateway_timeout\"").contains("did not answer within 1000 ms");
        assertThat(millis).isBetween(900L, 3500L);
    }

    @Test
    void refusedBackendGets502() throws Exception {
        HttpResponse<String> response = get("/dead/x");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("backend 'dead' refused the connection");
    }

    @Test
    void garbageFromTheBackendGets502() throws Exception {
        HttpResponse<String> response = get("/garbage");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("\"error\":\"bad_gateway\"");
    }

    @Test
    void aResponseCutShortClosesTheClientConnectionInsteadOfLookingComplete() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /truncated HTTP/1.1\r\nHost: x\r\n\r\n");
            byte[] all = raw.input().readAllBytes(); // returns at EOF: the gateway closed
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);

            assertThat(text).startsWith("HTTP/1.1 200").contains("content-length: 1000").endsWith("0123456789");
        }
        assertThatThrownBy(() -> get("/truncated")).isInstanceOf(IOException.class);
    }

    @Test
    void aSmallBodyThatArrivesApartFromItsHeadFollowsItIntact() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /split-small HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response).startsWith("HTTP/1.1 200").contains("content-length: 10").endsWith("\r\n\r\n0123456789");
            // The connection carries the next exchange.
            assertThat(raw.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()).endsWith("django:/after");
        }
    }

    @Test
    void aCloseDelimitedResponseIsReframedAsChunked() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /close-delimited HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response).contains("transfer-encoding: chunked").contains("until-the-end");
            // The client connection survives: the next request works.
            assertThat(raw.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n").readResponse()).endsWith("django:/after");
        }
    }

    @Test
    void http10ClientGetsConnectionCloseByDefault() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /ten HTTP/1.0\r\n\r\n").readResponse();

            assertThat(response).contains("connection: close").endsWith("django:/ten");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void webSocketIsTunnelledToTheBackend() throws Exception {
        StringBuilder received = new StringBuilder();
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + gateway.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.append(data);
                        if (last) {
                            reply.complete(received.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);

        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);

        assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("echo:hello");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    private static String sha256(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }
}
