package dev.tandem.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Shadow mirroring between two real backends: what is mirrored, what is compared, and what it costs the client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MirrorTest {
    private TestBackend django;
    private TestBackend fastapi;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
    }

    @AfterEach
    void stop() {
        django.close();
        fastapi.close();
    }

    private TestGateway gateway(String mirror) throws Exception {
        return TestGateway.start("""
                backends { django { url = "%s" }, fastapi { url = "%s", response-timeout = 10s } }
                routes = [ { name = products, match { prefix = "/" }, backend = django,
                             mirror { to = fastapi, %s } } ]
                """.formatted(django.url(), fastapi.url(), mirror));
    }

    private HttpResponse<String> send(TestGateway gateway, String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(gateway.uri(path)).method(method,
                method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{\"qty\":1}")
                        : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code count} GETs of {@code path?i=N} sent at once, so their shadows overlap; their responses, in order. */
    private List<HttpResponse<String>> sendTogether(TestGateway gateway, String path, int count) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri(path + "?i=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> response : pending) {
            responses.add(response.get(10, TimeUnit.SECONDS));
        }
        return responses;
    }

    private String mirrors(TestGateway gateway) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.server().adminPort()
                + "/api/mirrors")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void identicalResponsesMatchAndTheClientOnlyEverSeesThePrimary() throws Exception {
        try (TestGateway gateway = gateway("percent = 100")) {
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = send(gateway, "GET", "/echo?i=" + i);
                assertThat(response.headers().firstValue("X-Tandem-Backend")).hasValue("django");
            }
            MirrorStats stats = awaitCompared(gateway, 10);

            assertThat(stats.matched()).isEqualTo(10);
            assertThat(stats.mismatched()).isZero();
            assertThat(fastapi.requests("/echo")).isEqualTo(10);
            assertThat(mirrors(gateway)).contains("\"matched\":10").contains("\"latency_ratio_p50\":");
        }
    }

    @Test
    void aDifferenceIsReportedWithADiff() throws Exception {
        try (TestGateway gateway = gateway("percent = 100")) {
            send(gateway, "GET", "/api/products/1");
            MirrorStats stats = awaitCompared(gateway, 1);

            assertThat(stats.mismatched()).isEqualTo(1);
            assertThat(mirrors(gateway)).contains("\"request\":\"GET /api/products/1\"")
                    .contains("body: django:/api/products/1 != fastapi:/api/products/1");
        }
    }

    @Test
    void aPostIsNeverMirroredByDefault() throws Exception {
        try (TestGateway gateway = gateway("percent = 100")) {
            assertThat(send(gateway, "POST", "/api/orders").statusCode()).isEqualTo(200);
            send(gateway, "GET", "/echo"); // a mirrored request after it, to know the shadow side has caught up
            awaitCompared(gateway, 1);

            assertThat(django.requests("/api/orders")).isEqualTo(1);
            assertThat(fastapi.requests("/api/orders")).isZero();
        }
    }

    @Test
    void aSlowShadowAddsNoLatencyToTheClientAndBeyondTheCapMirrorsAreDropped() throws Exception {
        try (TestBackend slowShadow = TestBackend.slow("fastapi", 1500);
                TestGateway gateway = TestGateway.start("""
                        backends { django { url = "%s" }, fastapi { url = "%s", response-timeout = 10s } }
                        routes = [ { name = products, match { prefix = "/" }, backend = django,
                                     mirror { to = fastapi, max-in-flight = 1 } } ]
                        """.formatted(django.url(), slowShadow.url()))) {
            long start = System.nanoTime();
            HttpResponse<String> first = send(gateway, "GET", "/echo?n=1");
            HttpResponse<String> second = send(gateway, "GET", "/echo?n=2");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(millis).as("two requests whose shadow takes 1.5 s each").isLessThan(1000);
            MirrorStats stats = awaitCompared(gateway, 1);
            assertThat(stats.mirrored()).isEqualTo(1);
            assertThat(stats.dropped()).isEqualTo(1);
            assertThat(stats.matched()).isEqualTo(1);
        }
    }

    @Test
    void aShadowGoesUnderItsOwnBackendsBasePath() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s" }, fastapi { url = "%s/v2", response-timeout = 10s } }
                routes = [ { name = products, match { prefix = "/" }, backend = django, mirror { to = fastapi } } ]
                """.formatted(django.url(), fastapi.url()))) {
            assertThat(send(gateway, "GET", "/echo?i=1").statusCode()).isEqualTo(200);
            awaitCompared(gateway, 1);

            assertThat(django.requests("/echo")).isEqualTo(1);
            assertThat(fastapi.requests("/v2/echo")).isEqualTo(1);
            assertThat(fastapi.requests("/echo")).isZero();
        }
    }

    @Test
    void pipelinedShadowsShareFewConnectionsAndAreAllCompared() throws Exception {
        try (TestBackend slowShadow = TestBackend.slow("fastapi", 1500);
                TestGateway gateway = TestGateway.start("""
                        backends { django { url = "%s" },
                                   fastapi { url = "%s", response-timeout = 10s, shadow-pipelining = true } }
                        routes = [ { name = products, match { prefix = "/" }, backend = django,
                                     mirror { to = fastapi, max-in-flight = 128 } } ]
                        """.formatted(django.url(), slowShadow.url()))) {
            int shadows = 2 * ShadowLine.MAX_DEPTH + ShadowLine.MAX_DEPTH / 2;
            for (HttpResponse<String> response : sendTogether(gateway, "/echo", shadows)) {
                assertThat(response.statusCode()).isEqualTo(200);
            }
            MirrorStats stats = awaitCompared(gateway, shadows);

            assertThat(stats.matched()).isEqualTo(shadows);
            assertThat(slowShadow.requests("/echo")).isEqualTo(shadows);
            // Every shadow waits 1.5 s on the backend, so they overlap: one connection each without pipelining. With
            // it, each line takes MAX_DEPTH of them before the next line (and connection) is opened: 3 lines.
            assertThat(slowShadow.connections()).as("shadow connections").isEqualTo(3);
        }
    }

    @Test
    void pipelinedShadowsWrittenWhileAnAnswerIsAwaitedLeaveTogetherWhenItComes() throws Exception {
        try (HeldBackend shadow = new HeldBackend();
                TestGateway gateway = TestGateway.start("""
                        backends { django { url = "%s" },
                                   fastapi { url = "%s", response-timeout = 10s, shadow-pipelining = true } }
                        routes = [ { name = products, match { prefix = "/" }, backend = django,
                                     mirror { to = fastapi } } ]
                        """.formatted(django.url(), shadow.url()))) {
            assertThat(send(gateway, "GET", "/p?i=0").body()).isEqualTo("django:/p");
            // Nothing awaited on the line: the first shadow leaves at once.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> shadow.reads().equals(List.of(1)));

            for (int i = 1; i <= 5; i++) { // one after the other: each in a loop turn of its own
                assertThat(send(gateway, "GET", "/p?i=" + i).statusCode()).isEqualTo(200);
            }
            Thread.sleep(300);
            assertThat(shadow.reads()).as("held while the first answer is awaited").isEqualTo(List.of(1));

            shadow.answer(1);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> shadow.reads().size() == 2);
            assertThat(shadow.reads()).as("the five held shadows, in one write").isEqualTo(List.of(1, 5));

            shadow.answer(5);
            MirrorStats stats = awaitCompared(gateway, 6);
            assertThat(stats.errors()).isZero();
            assertThat(stats.mismatched()).isEqualTo(6); // "shadow:/p" against "django:/p", each compared
        }
    }

    @Test
    void aShadowBackendThatClosesAfterEachAnswerCostsMirrorErrorsOnceThenItsShadowsGoAlone() throws Exception {
        try (TestGateway gateway = TestGateway.start("""
                backends { django { url = "%s" },
                           fastapi { url = "%s", response-timeout = 10s, shadow-pipelining = true } }
                routes = [ { name = products, match { prefix = "/" }, backend = django, mirror { to = fastapi } } ]
                """.formatted(django.url(), fastapi.url()))) {
            for (HttpResponse<String> response : sendTogether(gateway, "/once", 10)) {
                assertThat(response.body()).isEqualTo("django:once");
            }
            MirrorStats stats = awaitCompared(gateway, 10);

            // Each answer ("fastapi:once") differs from the primary's ("django:once"); the shadows queued behind one
            // on its connection are lost when it closes, and counted as errors.
            assertThat(stats.matched()).isZero();
            assertThat(stats.mismatched() + stats.errors()).isEqualTo(10);
            assertThat(stats.errors()).as("shadows lost behind a closing answer").isPositive();
            long errors = stats.errors();

            // The backend refused the pipelined line: the next shadows go on connections of their own, all answered.
            for (HttpResponse<String> response : sendTogether(gateway, "/once", 10)) {
                assertThat(response.body()).isEqualTo("django:once");
            }
            stats = awaitCompared(gateway, 20);
            assertThat(stats.errors()).isEqualTo(errors);
            assertThat(stats.mismatched() + stats.errors()).isEqualTo(20);
            assertThat(send(gateway, "GET", "/echo").statusCode()).isEqualTo(200);
        }
    }

    /**
     * A shadow backend on a plain socket, one connection at a time, that answers only as many requests as it is told
     * to and records how they arrived: the number of request lines in each read.
     */
    private static final class HeldBackend implements AutoCloseable {
        private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\n"
                + "shadow:/p").getBytes(StandardCharsets.US_ASCII);
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Integer> reads = new CopyOnWriteArrayList<>();
        private final Semaphore answers = new Semaphore(0);
        private final Thread thread = new Thread(this::serve, "held-backend");

        HeldBackend() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        List<Integer> reads() {
            return List.copyOf(reads);
        }

        void answer(int requests) {
            answers.release(requests);
        }

        private void serve() {
            byte[] buffer = new byte[64 * 1024];
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout(20);
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    int unanswered = 0;
                    while (true) {
                        try {
                            int n = in.read(buffer);
                            if (n < 0) {
                                break;
                            }
                            int requests = new String(buffer, 0, n, StandardCharsets.US_ASCII).split("GET ", -1).length - 1;
                            reads.add(requests);
                            unanswered += requests;
                        } catch (SocketTimeoutException quiet) {
                            // nothing new: answer what may be answered
                        }
                        while (unanswered > 0 && answers.tryAcquire()) {
                            out.write(ANSWER);
                            unanswered--;
                        }
                        out.flush();
                    }
                } catch (IOException closed) {
                    // the server socket closed, or the gateway gave up the connection
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static MirrorStats awaitCompared(TestGateway gateway, long count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            MirrorStats stats = gateway.server().proxy().mirrors().stats().get("products");
            return stats != null && stats.matched() + stats.mismatched() + stats.noise() + stats.errors() >= count;
        });
        return gateway.server().proxy().mirrors().stats().get("products");
    }
}
