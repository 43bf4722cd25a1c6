package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.GatewayAdmin;
import dev.tandem.it.stack.GatewayOptions;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Shadow traffic on the dual-served product reads: with the route at {@code django = 100} and mirrored to
 * FastAPI, clients get Django's answers, FastAPI gets a copy of each, and the gateway compares the two. The apps
 * honour one contract byte for byte, so every comparison matches; a difference the compare is told to look at
 * (the apps' own {@code X-Backend}, which necessarily differs) is reported with a readable diff.
 *
 * <p>The gateways and their mirror counters are shared with every other class, so each test tags its requests
 * with an unknown query parameter (the contract ignores those) and works on differences of the counters.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MirrorIT {

    private static final String ROUTE = "products-read";
    private static final Duration COMPARED_WITHIN = Duration.ofSeconds(15);

    @Parameter
    int eventLoops;

    private Gateway gateway;
    private GatewayAdmin admin;

    @BeforeEach
    void setUp(HybridStack stack) {
        gateway = stack.gateway(eventLoops);
        admin = GatewayAdmin.of(gateway);
        assertThat(admin.weights(ROUTE)).as("the file's weights, no runtime change left over")
                .containsExactly(entry("django", 100), entry("fastapi", 0));
    }

    @Test
    @Order(1)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyMirroredProductReadMatches() {
        String tag = "it=" + UUID.randomUUID();
        Map<String, Integer> reads = productReads(tag);
        MirrorCounts before = counts();
        int mirrored = 0;

        // As a client sees it: no cookie, no override, so the split's weights decide (Django, at 100).
        for (Map.Entry<String, Integer> read : reads.entrySet()) {
            Http.Response response = Http.get(gateway.url(read.getKey()));
            assertThat(response.status()).as(response.describe()).isEqualTo(read.getValue());
            assertThat(response.header("X-Backend")).as(response.describe()).contains("django");
            assertThat(response.header("X-Tandem-Backend")).as(response.describe()).contains("django");
            mirrored++;
        }
        Http.Response head = Http.send(Http.request(gateway.url("/api/products?" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.status()).as(head.describe()).isEqualTo(200);
        assertThat(head.header("X-Backend")).as(head.describe()).contains("django");
        mirrored++;

        // Byte for byte: each read asked of both apps through the gateway, with the override header. The
        // Django one is mirrored too (Django is its primary); the FastAPI one is not (nothing to shadow it with).
        for (Map.Entry<String, Integer> read : reads.entrySet()) {
            Http.Response django = Http.get(gateway.url(read.getKey()), Gateway.OVERRIDE_HEADER, "django");
            Http.Response fastapi = Http.get(gateway.url(read.getKey()), Gateway.OVERRIDE_HEADER, "fastapi");
            assertThat(django.header("X-Backend")).as(django.describe()).contains("django");
            assertThat(fastapi.header("X-Backend")).as(fastapi.describe()).contains("fastapi");
            assertThat(fastapi.status()).as(fastapi.describe()).isEqualTo(django.status()).isEqualTo(read.getValue());
            assertThat(fastapi.header("Content-Type")).as(fastapi.describe()).isEqualTo(django.header("Content-Type"));
            assertThat(fastapi.text()).as("FastAPI's body for " + read.getKey() + " against Django's")
                    .isEqualTo(django.text());
            mirrored++;
        }

        int sent = mirrored;
        MirrorCounts delta = awaitFinished(before, sent);
        JsonNode route = admin.mirror(ROUTE);
        assertThat(delta.mismatched()).as("mismatches; samples: " + route.path("mismatch_samples")).isZero();
        assertThat(delta.errors()).as("shadow requests that failed\n" + route).isZero();
        assertThat(delta.matched()).as(route.toString()).isGreaterThanOrEqualTo(sent);
        assertThat(delta.mirrored()).as(route.toString()).isGreaterThanOrEqualTo(sent);
        assertThat(samplesTagged(route, tag)).as("mismatch samples of this test").isEmpty();
        assertThat(route.path("primary").asText()).isEqualTo("django");
        assertThat(route.path("shadow").asText()).isEqualTo("fastapi");

        // Paired latency: FastAPI's time over Django's, on the very same requests.
        assertThat(delta.pairs()).as("paired latencies recorded\n" + route).isGreaterThanOrEqualTo(sent);
        assertThat(route.path("latency_ratio_p50").isNumber()).as(route.toString()).isTrue();
        assertThat(route.path("latency_ratio_p50").asDouble()).as(route.toString()).isPositive();
        assertThat(route.path("latency_ratio_p90").asDouble()).as(route.toString())
                .isGreaterThanOrEqualTo(route.path("latency_ratio_p50").asDouble());
        assertThat(route.path("match_rate").isNumber()).as(route.toString()).isTrue();

        // The dashboard's stats carry the same mirror under the route.
        JsonNode stats = routeStats(ROUTE);
        assertThat(stats.path("mirror").path("matched").asLong()).as(stats.toString())
                .isGreaterThanOrEqualTo(before.matched() + sent);
    }

    @Test
    @Order(2)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDifferenceIsReportedWithAReadableDiff() {
        long id = Products.ids(gateway).get(0);
        String tag = "it=" + UUID.randomUUID();
        Map<String, Integer> reads = new LinkedHashMap<>();
        reads.put("/api/products?page_size=3&" + tag, 200);
        reads.put("/api/products/" + id + "?" + tag, 200);
        reads.put("/api/products/999999999?" + tag, 404);

        // The apps cannot be made to differ honestly, but their X-Backend header always does: compare it too.
        gateway.reconfigure(GatewayOptions.DEFAULT.withProductCompareHeaders("content-type", "x-backend"));
        try {
            MirrorCounts before = counts();
            for (Map.Entry<String, Integer> read : reads.entrySet()) {
                Http.Response response = Http.get(gateway.url(read.getKey()));
                assertThat(response.status()).as(response.describe()).isEqualTo(read.getValue());
                assertThat(response.header("X-Backend")).as("the client still gets Django's answer\n"
                        + response.describe()).contains("django");
            }
            MirrorCounts delta = awaitFinished(before, reads.size());
            JsonNode route = admin.mirror(ROUTE);
            assertThat(delta.mismatched()).as(route.toString()).isEqualTo(reads.size());
            assertThat(delta.errors()).as(route.toString()).isZero();
            assertThat(route.path("match_rate").asDouble()).as(route.toString()).isLessThan(1.0);

            List<JsonNode> samples = samplesTagged(route, tag);
            assertThat(samples).as("a mismatch sample per request\n" + route).hasSize(reads.size());
            for (JsonNode sample : samples) {
                assertThat(sample.path("request").asText()).as(sample.toString()).startsWith("GET /api/products");
                assertThat(Instant.parse(sample.path("time").asText())).as(sample.toString())
                        .isBeforeOrEqualTo(Instant.now());
                // The bodies are equal, so the header is the one difference, named with both values.
                assertThat(sample.path("differences")).as(sample.toString()).hasSize(1);
                assertThat(sample.path("differences").path(0).asText()).as(sample.toString())
                        .isEqualTo("header x-backend: django != fastapi");
            }
        } finally {
            gateway.reconfigure(GatewayOptions.DEFAULT);
        }

        // Back on the file's compare: the same read matches again.
        MirrorCounts before = counts();
        Http.Response again = Http.get(gateway.url(reads.keySet().iterator().next()));
        assertThat(again.status()).as(again.describe()).isEqualTo(200);
        MirrorCounts delta = awaitFinished(before, 1);
        assertThat(delta.mismatched()).as(admin.mirror(ROUTE).toString()).isZero();
        assertThat(delta.matched()).as(admin.mirror(ROUTE).toString()).isEqualTo(1);
    }

    @Test
    @Order(3)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void overlappingReadsArePipelinedToUvicornAndAllMatch() throws Exception {
        // FastAPI's backend has shadow-pipelining on (as deploy/local/tandem.conf): shadows that overlap go to
        // uvicorn pipelined on shared connections, and each answer must still be paired with its own request.
        String tag = "it=" + UUID.randomUUID();
        List<String> paths = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (String path : productReads(tag).keySet()) {
                paths.add(path + "&round=" + round);
            }
        }
        MirrorCounts before = counts();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (String path : paths) {
            pending.add(Http.client().sendAsync(Http.request(gateway.url(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : pending) {
            assertThat(response.get(20, TimeUnit.SECONDS).headers().firstValue("X-Backend")).contains("django");
        }

        MirrorCounts delta = awaitFinished(before, paths.size());
        JsonNode route = admin.mirror(ROUTE);
        assertThat(delta.errors()).as("shadow requests that failed\n" + route).isZero();
        assertThat(delta.mismatched()).as("mismatches; samples: " + route.path("mismatch_samples")).isZero();
        assertThat(delta.matched()).as(route.toString()).isGreaterThanOrEqualTo(paths.size());
        assertThat(samplesTagged(route, tag)).as("mismatch samples of this test").isEmpty();
    }

    /** Product reads of the contract, each with the status both apps answer: filters, pagination, 400 and 404. */
    private Map<String, Integer> productReads(String tag) {
        List<Long> ids = Products.ids(gateway);
        Http.Response first = Http.get(gateway.url("/api/products/" + ids.get(0)));
        String category = first.json().path("category").path("slug").asText();
        Map<String, Integer> reads = new LinkedHashMap<>();
        reads.put("/api/products?" + tag, 200);
        reads.put("/api/products?page=2&" + tag, 200);
        reads.put("/api/products?page=3&page_size=5&" + tag, 200);
        reads.put("/api/products?in_stock=true&page_size=10&" + tag, 200);
        reads.put("/api/products?in_stock=false&" + tag, 200);
        reads.put("/api/products?category=" + category + "&" + tag, 200);
        reads.put("/api/products?category=" + category + "&in_stock=true&page=2&page_size=3&" + tag, 200);
        reads.put("/api/products?category=no-such-category&" + tag, 200);
        reads.put("/api/products?page=100000&" + tag, 200);
        reads.put("/api/products?page=&page_size=&" + tag, 200);
        reads.put("/api/products?page=0&" + tag, 400);
        reads.put("/api/products?page_size=101&in_stock=maybe&" + tag, 400);
        for (long id : ids.subList(0, Math.min(3, ids.size()))) {
            reads.put("/api/products/" + id + "?" + tag, 200);
        }
        reads.put("/api/products/999999999?" + tag, 404);
        reads.put("/api/products/abc?" + tag, 404);
        return reads;
    }

    private MirrorCounts counts() {
        return MirrorCounts.of(admin.mirror(ROUTE));
    }

    /** Waits until at least {@code count} mirrors begun since {@code before} have a known outcome. */
    private MirrorCounts awaitFinished(MirrorCounts before, int count) {
        List<MirrorCounts> last = new ArrayList<>(List.of(before));
        await().alias(gateway.name() + ": " + count + " mirrored requests compared")
                .atMost(COMPARED_WITHIN)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    MirrorCounts delta = counts().since(before);
                    last.set(0, delta);
                    return delta.finished() >= count;
                });
        return last.get(0);
    }

    private static List<JsonNode> samplesTagged(JsonNode route, String tag) {
        List<JsonNode> tagged = new ArrayList<>();
        route.path("mismatch_samples").forEach(s -> {
            if (s.path("request").asText().contains(tag)) {
                tagged.add(s);
            }
        });
        return tagged;
    }

    private JsonNode routeStats(String name) {
        for (JsonNode route : admin.stats().path("routes")) {
            if (route.path("route").asText().equals(name)) {
                return route;
            }
        }
        throw new AssertionError("no route " + name + " in /api/stats");
    }
}
