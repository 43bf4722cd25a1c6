package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.GatewayAdmin;
import dev.tandem.it.stack.GatewayOptions;
import dev.tandem.it.stack.GatewayOptions.CoreMirror;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Both apps share one database, so a mirrored write would be applied twice. The {@code core} route, which takes
 * {@code POST /api/orders}, mirrors with the default methods; an order placed through it is written exactly once
 * (counted in the database directly) and the gateway shows it never mirrored the POST, while a GET on the same
 * route is mirrored. FastAPI has no order endpoint, so against it a mirrored POST could not show in the database;
 * the second test therefore mirrors the route to a second backend at Django's own address, where a mirrored POST
 * would have placed a second order.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class MirrorNeverWritesIT {

    private static final String ROUTE = "core";

    @Parameter
    int eventLoops;

    private HybridStack stack;
    private Gateway gateway;
    private GatewayAdmin admin;

    @BeforeEach
    void setUp(HybridStack stack) {
        this.stack = stack;
        this.gateway = stack.gateway(eventLoops);
        this.admin = GatewayAdmin.of(gateway);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOrderOnTheMirroredRouteIsWrittenOnce() {
        assertAnOrderIsWrittenOnce(CoreMirror.FASTAPI);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anOrderIsNotMirroredEvenToABackendThatWouldWriteIt() {
        gateway.reconfigure(GatewayOptions.DEFAULT.withCoreMirror(CoreMirror.DJANGO_TWIN));
        try {
            assertAnOrderIsWrittenOnce(CoreMirror.DJANGO_TWIN);
        } finally {
            gateway.reconfigure(GatewayOptions.DEFAULT);
        }
    }

    private void assertAnOrderIsWrittenOnce(CoreMirror shadow) {
        // The route mirrors: a safe request on it is copied to the shadow.
        MirrorCounts beforeGet = counts(shadow);
        Http.Response whoami = Http.get(gateway.url("/core/whoami"));
        assertThat(whoami.status()).as(whoami.describe()).isEqualTo(200);
        assertThat(whoami.header("X-Backend")).as(whoami.describe()).contains("django");
        awaitFinished(shadow, beforeGet, 1);
        JsonNode route = admin.mirror(ROUTE);
        assertThat(route.path("primary").asText()).as(route.toString()).isEqualTo("django");
        assertThat(route.path("shadow").asText()).as(route.toString()).isEqualTo(shadow.backend());
        assertThat(counts(shadow).since(beforeGet).mirrored()).as("the GET, mirrored\n" + route).isEqualTo(1);
        assertThat(counts(shadow).since(beforeGet).errors()).as("the GET's shadow got an answer\n" + route).isZero();

        long productId = Sql.number(stack, "SELECT id FROM shop_product WHERE stock >= 1 ORDER BY id LIMIT 1");
        long stock = Sql.number(stack, "SELECT stock FROM shop_product WHERE id = ?", productId);
        long orders = Sql.number(stack, "SELECT count(*) FROM shop_order");
        String email = "mirror-" + UUID.randomUUID() + "@example.test";
        MirrorCounts beforePost = counts(shadow);

        String requestId = Http.requestId();
        Http.Response created = Http.postJson(gateway.url("/api/orders"), Map.of(
                        "customer_email", email,
                        "customer_name", "Mirror test",
                        "lines", List.of(Map.of("product_id", productId, "quantity", 1))),
                "X-Request-Id", requestId);
        assertThat(created.status()).as(created.describe()).isEqualTo(201);
        assertThat(created.header("X-Backend")).as(created.describe()).contains("django");
        assertThat(created.header("Location").orElse("")).as(created.describe()).matches("/api/orders/\\d+");
        JsonNode line = AccessLog.entry(gateway, requestId);
        assertThat(line.path("route").asText()).as(line.toString()).isEqualTo(ROUTE);
        assertThat(line.path("method").asText()).as(line.toString()).isEqualTo("POST");

        // The gateway decides to mirror before it forwards a request: by the 201, a mirror would be counted.
        MirrorCounts afterPost = counts(shadow).since(beforePost);
        assertThat(afterPost.mirrored()).as("mirrors begun for the POST\n" + admin.mirror(ROUTE)).isZero();
        assertThat(afterPost.dropped()).as("mirrors dropped for the POST\n" + admin.mirror(ROUTE)).isZero();

        // A fence: once a later GET's mirror has finished, so would a shadow POST that went out before it.
        Http.Response fence = Http.get(gateway.url("/core/whoami"));
        assertThat(fence.status()).as(fence.describe()).isEqualTo(200);
        MirrorCounts afterFence = awaitFinished(shadow, beforePost, 1);
        assertThat(afterFence.mirrored()).as("only the fence GET was mirrored\n" + admin.mirror(ROUTE)).isEqualTo(1);
        for (JsonNode sample : admin.mirror(ROUTE).path("mismatch_samples")) {
            assertThat(sample.path("request").asText()).as(sample.toString()).doesNotStartWith("POST");
        }

        assertThat(Sql.number(stack, "SELECT count(*) FROM shop_order")).as("orders in the database").isEqualTo(orders + 1);
        assertThat(Sql.number(stack, "SELECT count(*) FROM shop_order o JOIN shop_customer c ON c.id = o.customer_id"
                + " WHERE c.email = ?", email)).as("orders of " + email).isEqualTo(1);
        assertThat(Sql.number(stack, "SELECT stock FROM shop_product WHERE id = ?", productId))
                .as("stock of product " + productId + " after one unit was ordered").isEqualTo(stock - 1);
    }

    /**
     * The route's counters for its pairing with {@code shadow}. The gateway starts fresh counters when a route's
     * primary/shadow pairing changes (as on the reload to another shadow), so another pairing's count as zeros.
     */
    private MirrorCounts counts(CoreMirror shadow) {
        JsonNode route = admin.mirror(ROUTE);
        return route.path("shadow").asText().equals(shadow.backend())
                ? MirrorCounts.of(route) : MirrorCounts.of(MissingNode.getInstance());
    }

    /** Waits until {@code count} mirrors begun since {@code before} have an outcome; returns the difference. */
    private MirrorCounts awaitFinished(CoreMirror shadow, MirrorCounts before, int count) {
        await().alias(gateway.name() + ": " + count + " mirror(s) on route " + ROUTE + " finished")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> counts(shadow).since(before).finished() >= count);
        return counts(shadow).since(before);
    }
}
