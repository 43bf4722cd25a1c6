package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * One database under both apps: what one app writes, the other reads on the very next request, with no
 * cache in between.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class SharedDatabaseIT {

    @Parameter
    int eventLoops;

    private HybridStack stack;
    private Gateway gateway;

    @BeforeEach
    void setUp(HybridStack stack) {
        this.stack = stack;
        this.gateway = stack.gateway(eventLoops);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aStockSetThroughDjangoIsReadByFastApi() {
        List<Long> ids = Products.ids(gateway);
        long id = ids.get(eventLoops % ids.size());
        int stock = ThreadLocalRandom.current().nextInt(100, 10_000);

        Http.Response write = Http.postJson(gateway.url("/api/products/" + id + "/stock"), Map.of("stock", stock));
        assertThat(write.status()).as(write.describe()).isEqualTo(200);
        assertThat(write.header("X-Backend")).as(write.describe()).contains("django");

        // The file's split sends product reads to Django; the override header asks FastAPI.
        Http.Response read = Http.get(gateway.url("/api/products/" + id), Gateway.OVERRIDE_HEADER, "fastapi");
        assertThat(read.status()).as(read.describe()).isEqualTo(200);
        assertThat(read.header("X-Backend")).as(read.describe()).contains("fastapi");
        assertThat(read.json().path("stock").asInt()).as(read.describe()).isEqualTo(stock);
    }

    /** Django's read of the result is made on Django's own address; the write is through the gateway. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aStockChangeThroughFastApiIsReadByDjango() {
        List<Long> ids = Products.ids(gateway);
        long id = ids.get((eventLoops + 2) % ids.size());
        int before = Products.read(gateway, id, "fastapi").path("stock").asInt();
        int delta = ThreadLocalRandom.current().nextInt(1, 50);

        Http.Response write = Http.postJson(gateway.url("/api/v2/products/" + id + "/stock"), Map.of("delta", delta));
        assertThat(write.status()).as(write.describe()).isEqualTo(200);
        assertThat(write.header("X-Backend")).as(write.describe()).contains("fastapi");

        Http.Response read = Http.get(stack.directUrl(Backend.DJANGO).resolve("/api/products/" + id));
        assertThat(read.status()).as(read.describe()).isEqualTo(200);
        assertThat(read.header("X-Backend")).as(read.describe()).contains("django");
        JsonNode product = read.json();
        assertThat(product.path("stock").asInt()).as(read.describe()).isEqualTo(before + delta);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void bothAppsDescribeAProductWithTheSameJson() {
        long id = Products.ids(gateway).get(0);
        JsonNode fromFastApi = Products.read(gateway, id, "fastapi");
        Http.Response fromDjango = Http.get(stack.directUrl(Backend.DJANGO).resolve("/api/products/" + id));
        assertThat(fromDjango.status()).as(fromDjango.describe()).isEqualTo(200);
        assertThat(fromDjango.json()).as("Django's and FastAPI's JSON for product " + id).isEqualTo(fromFastApi);
    }
}
