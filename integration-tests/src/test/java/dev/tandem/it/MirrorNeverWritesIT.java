package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * would have placed a second order; a control shows that it does once the mirror is told to take POST.
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

    /**
     * The control: the same order on a route whose mirror is told to take POST ({@code allow-writes = true}) is
     * written twice, since the reference apps do not roll back shadow requests. So the counts above would have
     * shown a mirrored write.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theControlAMirrorAllowedToWriteAppliesTheOrderTwice() {
        CoreMirror shadow = CoreMirror.DJANGO_TWIN;
        gateway.reconfigure(GatewayOptions.DEFAULT.withCoreMirror(shadow).withCoreMirrorWrites(true));
        try {
            assertTheRouteMirrorsSafeRequests(shadow);
            // An existing customer, so the two copies of the order do not race to create it.
            String email = "mirror-" + UUID.randomUUID() + "@example.test";
            Http.Response first = Http.postJson(stack.directUrl(Backend.DJANGO).resolve("/api/orders"), orderBody(email,
                    Sql.number(stack, "SELECT id FROM shop_product WHERE stock >= 1 ORDER BY id LIMIT 1")));
            assertThat(first.status()).as(first.describe()).isEqualTo(201);
            PlacedOrder order = placeOrder(shadow, email);
            assertThat(counts(shadow).since(order.mirrorsBefore()).mirrored()).as("mirrors begun for the POST\n"
                    + admin.mirror(ROUTE)).isEqualTo(1);
            awaitFinished(shadow, order.mirrorsBefore(), 1);
            assertWritten(order, 2);
        } finally {
            gateway.reconfigure(GatewayOptions.DEFAULT);
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
        for (JsonNode sample : admin.mirror(ROUTE).path("mismatch_samples")) {
            assertThat(sample.path("request").asText()).as(sample.toString()).doesNotStartWith("POST");
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
            long customerOrdersBefore, MirrorCounts mirrorsBefore) {
    }

    /** {@code POST /api/orders} through the gateway for one unit of a product with stock to spare. */
    private PlacedOrder placeOrder(CoreMirror shadow, String email) {
        long productId = Sql.number(stack, "SELECT id FROM shop_product WHERE stock >= 2 ORDER BY id LIMIT 1");
        PlacedOrder order = new PlacedOrder(productId,
                Sql.number(stack, "SELECT stock FROM shop_product WHERE id = ?", productId),
                Sql.number(stack, "SELECT count(*) FROM shop_order"),
                email,
                customerOrders(email),
                counts(shadow));
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
