package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload, runtime changes and graceful shutdown lose no request. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReloadAndDrainTest {
    private static TestBackend django;
    private static TestBackend fastapi;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

    private static String config(String routes) {
        return """
                tandem {
                  listen { host = "127.0.0.1", port = 0, event-loops = 2 }
                  admin { port = 0, token = "t" }
                  backends { django { url = "%s" }, fastapi { url = "%s" } }
                  routes = [ %s ]
                }
                """.formatted(django.url(), fastapi.url(), routes);
    }

    private static final String ONE_ROUTE = "{ name = all, match { prefix = \"/\" }, backend = django }";
    private static final String TWO_ROUTES = "{ name = api, match { prefix = \"/api\" }, split { django = 50, fastapi = 50 } }\n"
            + "{ name = all, match { prefix = \"/\" }, backend = fastapi }";

    @Test
    void reloadsAndWeightChangesUnderLoadFailNoRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tandem.conf");
        Files.writeString(file, config(ONE_ROUTE));
        GatewayServer server = GatewayServer.start(ConfigLoader.load(file, Map.of()));
        ConfigReloader reloader = new ConfigReloader(file, server);
        server.reloader(reloader);
        ExecutorService load = Executors.newFixedThreadPool(4);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        try {
            for (int t = 0; t < 4; t++) {
                load.submit(() -> {
                    for (int i = 0; running.get() && i < 100_000; i++) {
                        try {
                            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + server.port() + "/api/x" + i)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.merge(response.statusCode() + " " + response.body(), 1, Integer::sum);
                            }
                        } catch (Exception e) {
                            failures.merge(e.toString(), 1, Integer::sum);
                        }
                    }
                });
            }
            for (int round = 0; round < 6; round++) {
                Thread.sleep(150);
                Files.writeString(file, config(round % 2 == 0 ? TWO_ROUTES : ONE_ROUTE));
                ConfigReloader.Status status = reloader.reloadNow("test").get(10, TimeUnit.SECONDS);
                assertThat(status.accepted()).as(status.problems().toString()).isTrue();
                if (round % 2 == 0) {
                    String change = round % 4 == 0 ? "{\"weights\":{\"django\":10,\"fastapi\":90}}"
                            : "{\"weights\":{\"django\":100,\"fastapi\":0}}";
                    HttpResponse<String> changed = client.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + server.adminPort() + "/api/routes/api/weights"))
                            .header("Authorization", "Bearer t")
                            .PUT(HttpRequest.BodyPublishers.ofString(change)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
                }
            }
            Thread.sleep(200);
        } finally {
            running.set(false);
            load.shutdown();
            load.awaitTermination(30, TimeUnit.SECONDS);
            server.close();
        }
        assertThat(failures).isEmpty();
        assertThat(ok.get()).isGreaterThan(100);
    }

    @Test
    void anInvalidReloadIsRejectedWholeAndTheRunningConfigKeepsServing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tandem.conf");
        Files.writeString(file, config(ONE_ROUTE));
        GatewayServer server = GatewayServer.start(ConfigLoader.load(file, Map.of()));
        ConfigReloader reloader = new ConfigReloader(file, server);
        server.reloader(reloader);
        try {
            Files.writeString(file, config("{ name = all, match { prefix = \"/\" }, backend = flask }"));

            ConfigReloader.Status status = reloader.reloadNow("test").get(10, TimeUnit.SECONDS);

            assertThat(status.accepted()).isFalse();
            assertThat(status.problems()).singleElement().asString()
                    .contains("tandem.routes[0].backend").contains("flask");
            HttpResponse<String> served = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.port() + "/still")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(served.body()).isEqualTo("django:/still");
            String config = client.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + server.adminPort() + "/api/config")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(config).contains("\"accepted\":false").contains("flask");
        } finally {
            server.close();
        }
    }

    @Test
    void aGracefulShutdownFinishesInFlightRequestsAndRefusesNewOnes() throws Exception {
        GatewayServer server = GatewayServer.start(ConfigLoader.parse(config(ONE_ROUTE), Map.of()));
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/slow?ms=800")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        long start = System.nanoTime();
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> server.drainAndStop(Duration.ofSeconds(5)));
        Thread.sleep(100);

        HttpResponse<String> finished = inFlight.get(5, TimeUnit.SECONDS);
        drained.get(10, TimeUnit.SECONDS);

        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).isEqualTo("django:slow");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
        CompletableFuture<HttpResponse<String>> late = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/late")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(late).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ConnectException.class);
    }

    @Test
    void checkConfigPrintsTheRouteTableOrEveryProblem(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, config(TWO_ROUTES));
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, config("{ name = all, match { prefix = \"/\" }, backend = flask }\n"
                + "{ name = all, match { prefix = \"/x\" }, backend = django }"));

        Output goodRun = run("--check-config", good.toString());
        Output badRun = run("--check-config", bad.toString());
        Output usage = run("--frobnicate");

        assertThat(goodRun.code).isZero();
        assertThat(goodRun.out).contains("[0]  api").contains("django 50% / fastapi 50%").contains("is valid");
        assertThat(badRun.code).isEqualTo(1);
        assertThat(badRun.err).contains("bad.conf:").contains("tandem.routes[0].backend").contains("flask")
                .contains("tandem.routes[1].name").contains("is invalid");
        assertThat(usage.code).isEqualTo(2);
        assertThat(usage.err).contains("usage: tandem --config FILE");
    }

    private record Output(int code, String out, String err) {
    }

    private static Output run(String... args) throws InterruptedException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

}
