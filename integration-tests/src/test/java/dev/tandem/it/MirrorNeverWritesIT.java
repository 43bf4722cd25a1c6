package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.GatewayAdmin;
import dev.tandem.it.stack.GatewayOptions;
import dev.tandem.it.stack.GatewayOptions.CoreMirror;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import dev.tandem.it.support.TcpRelay;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
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
 * Both apps share one database, so a mirrored write would be applied twice unless the shadow is rolled back. The
 * {@code core} route, which takes {@code POST /api/orders}, mirrors with the default methods; an order placed
 * through it is written exactly once (counted in the database directly) and the gateway shows it never mirrored the
 * POST, while a GET on the same route is mirrored. FastAPI has no order endpoint, so against it a mirrored POST could
 * not show in the database; the second test therefore mirrors the route to a second backend at Django's own address,
 * where a mirrored POST would have placed a second order.
 *
 * <p>Then the opt-in: with {@code methods = [GET, HEAD, POST], allow-writes = true} the POST is mirrored, and Django
 * runs the shadow copy (marked {@code X-Tandem-Shadow: 1} by the gateway, its trusted proxy) in a transaction it
 * rolls back: the order is still written once, and the gateway's comparison of the two answers shows the shadow
 * computed the same 201 and said {@code X-Tandem-Shadow-Rolled-Back: 1}. The control sends the shadow through a relay
 * whose connections reach Django from an address it does not trust: the header is ignored there, the shadow commits
 * and the order is written twice, so the counts above would have shown a write that was not rolled back.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class MirrorNeverWritesIT {

    private static final String ROUTE = "core";
    /** What Django adds to a shadow's answer once it has rolled the shadow back. */
    private static final String ROLLED_BACK_HEADER = "x-tandem-shadow-rolled-back";
    /** A second loopback address (Linux routes 127.0.0.0/8 to lo), not in the apps' TANDEM_TRUSTED_PROXIES. */
    private static final String UNTRUSTED_SOURCE = "127.0.0.2";

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

    /**
     * Opted in: the POST is mirrored to Django's own address, runs there as a shadow and is rolled back. The only
     * difference between the two answers (ids and timestamps aside) is the shadow's
     * {@code X-Tandem-Shadow-Rolled-Back: 1}; the database holds one order, one customer and one unit less stock.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMirroredOrderRunsOnTheShadowAndIsRolledBack() {
        CoreMirror shadow = CoreMirror.DJANGO_TWIN;
        gateway.reconfigure(GatewayOptions.DEFAULT.withCoreMirror(shadow).withCoreMirrorWrites(true));
        try {
            assertTheRouteMirrorsSafeRequests(shadow);
            // A new customer: the shadow creates it too, and rolls that back as well.
            String email = "mirror-" + UUID.randomUUID() + "@example.test";
            PlacedOrder order = placeOrder(shadow, email);
            assertThat(counts(shadow).since(order.mirrorsBefore()).mirrored()).as("mirrors begun for the POST\n"
                    + admin.mirror(ROUTE)).isEqualTo(1);
            MirrorCounts outcome = awaitFinished(shadow, order.mirrorsBefore(), 1);
            JsonNode route = admin.mirror(ROUTE);
            assertThat(outcome.errors()).as("the shadow POST got an answer\n" + route).isZero();
            assertThat(outcome.mismatched()).as("the POST's comparison\n" + route).isEqualTo(1);
            JsonNode sample = route.path("mismatch_samples").path(0);
            assertThat(sample.path("request").asText()).as(route.toString()).isEqualTo("POST /api/orders");
            assertThat(sample.path("differences")).as("same status and body; the shadow says it rolled back\n"
                    + route).extracting(JsonNode::asText)
                    .containsExactly("header " + ROLLED_BACK_HEADER + ": null != 1");
            assertWritten(order, 1);
            assertThat(Sql.number(stack, "SELECT count(*) FROM shop_customer WHERE email = ?", email))
                    .as("customers " + email).isEqualTo(1);
        } finally {
            gateway.reconfigure(GatewayOptions.DEFAULT);
        }
    }

    /**
     * The control: the same opted-in mirror, with the twin reached through a relay whose connections come from
     * {@value #UNTRUSTED_SOURCE}, an address the apps do not trust. Django ignores the shadow header from it, so the
     * shadow order commits and the order is written twice: the counts above would have caught a write that was not
     * rolled back. The process provider only: there the relay can choose the address Django sees.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theControlAShadowFromAnUntrustedPeerIsNotRolledBackAndWritesTwice() throws Exception {
        assumeTrue(stack.provider().equals("processes"), "the containers provider cannot pick the peer address"
                + " Django sees for the gateway's connections");
        InetAddress untrusted = InetAddress.getByName(UNTRUSTED_SOURCE);
        assertThat(stack.isTrustedProxy(untrusted)).as(UNTRUSTED_SOURCE + " is not a trusted proxy").isFalse();
        CoreMirror shadow = CoreMirror.DJANGO_TWIN;
        try (TcpRelay relay = TcpRelay.to(stack.directUrl(Backend.DJANGO), untrusted)) {
            gateway.reconfigure(GatewayOptions.DEFAULT.withCoreMirror(shadow).withCoreMirrorWrites(true)
                    .withCoreTwinUrl(relay.url()));
            try {
                assertTheRouteMirrorsSafeRequests(shadow);
                // An existing customer, so the two copies of the order do not race to create it.
                String email = "mirror-" + UUID.randomUUID() + "@example.test";
                Http.Response first = Http.postJson(stack.directUrl(Backend.DJANGO).resolve("/api/orders"),
                        orderBody(email, Sql.number(stack,
                                "SELECT id FROM shop_product WHERE stock >= 1 ORDER BY id LIMIT 1")));
                assertThat(first.status()).as(first.describe()).isEqualTo(201);
                PlacedOrder order = placeOrder(shadow, email);
                assertThat(counts(shadow).since(order.mirrorsBefore()).mirrored()).as("mirrors begun for the POST\n"
                        + admin.mirror(ROUTE)).isEqualTo(1);
                MirrorCounts outcome = awaitFinished(shadow, order.mirrorsBefore(), 1);
                // Both answers are real 201s without the rolled-back header: equal once ids are ignored.
                assertThat(outcome.matched()).as("the POST's comparison\n" + admin.mirror(ROUTE)).isEqualTo(1);
                assertWritten(order, 2);
            } finally {
                gateway.reconfigure(GatewayOptions.DEFAULT);
            }
        }
    }

    private void assertAnOrderIsWrittenOnce(CoreMirror shadow) {
        assertTheRouteMirrorsSafeRequests(shadow);
        PlacedOrder order = placeOrder(shadow, "mirror-" + UUID.randomUUID() + "@example.test");

        // The gateway decides to mirror before it forwards a request: by the 201, a mirror would be counted.
        MirrorCounts afterPost = counts(shadow).since(order.mirrorsBefore());
        assertThat(afterPost.mirrored()).as("mirrors begun for the POST\n" + admin.mirror(ROUTE)).isZero();
        assertThat(afterPost.dropped()).as("mirrors dropped for the POST\n" + admin.mirror(ROUTE)).isZero();

        // A fence: once a later GET's mirror has finished, so would a shadow POST that went out before it.
        Http.Response fence = Http.get(gateway.url("/core/whoami"));
        assertThat(fence.status()).as(fence.describe()).isEqualTo(200);
        MirrorCounts afterFence = awaitFinished(shadow, order.mirrorsBefore(), 1);
        assertThat(afterFence.mirrored()).as("only the fence GET was mirrored\n" + admin.mirror(ROUTE)).isEqualTo(1);
        // Samples outlive a test (the opted-in test's POSTs are there); only those since this POST count.
        for (JsonNode sample : admin.mirror(ROUTE).path("mismatch_samples")) {
            if (!Instant.parse(sample.path("time").asText()).isBefore(order.sentAt())) {
                assertThat(sample.path("request").asText()).as(sample.toString()).doesNotStartWith("POST");
            }
        }
        assertWritten(order, 1);
    }

    /** A safe request on the route is copied to {@code shadow}, which answers. */
    private void assertTheRouteMirrorsSafeRequests(CoreMirror shadow) {
        MirrorCounts before = counts(shadow);
        Http.Response whoami = Http.get(gateway.url("/core/whoami"));
        assertThat(whoami.status()).as(whoami.describe()).isEqualTo(200);
        assertThat(whoami.header("X-Backend")).as(whoami.describe()).contains("django");
        MirrorCounts delta = awaitFinished(shadow, before, 1);
        JsonNode route = admin.mirror(ROUTE);
        assertThat(route.path("primary").asText()).as(route.toString()).isEqualTo("django");
        assertThat(route.path("shadow").asText()).as(route.toString()).isEqualTo(shadow.backend());
        assertThat(delta.mirrored()).as("the GET, mirrored\n" + route).isEqualTo(1);
        assertThat(delta.errors()).as("the GET's shadow got an answer\n" + route).isZero();
    }

    /** An order placed through the gateway, and the database and mirror counts just before it. */
    private record PlacedOrder(long productId, long stockBefore, long ordersBefore, String email,
            long customerOrdersBefore, MirrorCounts mirrorsBefore, Instant sentAt) {
    }

    /** {@code POST /api/orders} through the gateway for one unit of a product with stock to spare. */
    private PlacedOrder placeOrder(CoreMirror shadow, String email) {
        long productId = Sql.number(stack, "SELECT id FROM shop_product WHERE stock >= 2 ORDER BY id LIMIT 1");
        PlacedOrder order = new PlacedOrder(productId,
                Sql.number(stack, "SELECT stock FROM shop_product WHERE id = ?", productId),
                Sql.number(stack, "SELECT count(*) FROM shop_order"),
                email,
                customerOrders(email),
                counts(shadow),
                Instant.now());
        String requestId = Http.requestId();
        Http.Response created = Http.postJson(gateway.url("/api/orders"), orderBody(email, productId),
                "X-Request-Id", requestId);
        assertThat(created.status()).as(created.describe()).isEqualTo(201);
        assertThat(created.header("X-Backend")).as(created.describe()).contains("django");
        assertThat(created.header("Location").orElse("")).as(created.describe()).matches("/api/orders/\\d+");
        JsonNode line = AccessLog.entry(gateway, requestId);
        assertThat(line.path("route").asText()).as(line.toString()).isEqualTo(ROUTE);
        assertThat(line.path("method").asText()).as(line.toString()).isEqualTo("POST");
        return order;
    }

    private long customerOrders(String email) {
        return Sql.number(stack, "SELECT count(*) FROM shop_order o JOIN shop_customer c ON c.id = o.customer_id"
                + " WHERE c.email = ?", email);
    }

    private static Map<String, Object> orderBody(String email, long productId) {
        return Map.of("customer_email", email, "customer_name", "Mirror test",
                "lines", List.of(Map.of("product_id", productId, "quantity", 1)));
    }

    /** Counted in the database itself, bypassing both apps. */
    private void assertWritten(PlacedOrder order, int times) {
        assertThat(Sql.number(stack, "SELECT count(*) FROM shop_order")).as("orders in the database")
                .isEqualTo(order.ordersBefore() + times);
        assertThat(customerOrders(order.email())).as("orders of " + order.email())
                .isEqualTo(order.customerOrdersBefore() + times);
        assertThat(Sql.number(stack, "SELECT stock FROM shop_product WHERE id = ?", order.productId()))
                .as("stock of product " + order.productId() + " after " + times + " order(s) of one unit")
                .isEqualTo(order.stockBefore() - times);
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
