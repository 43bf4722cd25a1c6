package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The local-run configuration: {@code DATABASE_URL} unset, so both apps open their default SQLite file.
 * A smoke test of the whole path: prepare, both apps, the gateway, a write in one app read by the other.
 */
@HybridStackTest(database = HybridStack.Database.SQLITE)
class SqliteDefaultIT {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theDefaultSqliteDatabaseServesBothAppsThroughTheGateway(HybridStack stack) {
        Gateway gateway = stack.gateway(1);

        Http.Response admin = Http.get(gateway.url("/admin/login/"));
        assertThat(admin.status()).as(admin.describe()).isEqualTo(200);
        assertThat(admin.header("X-Backend")).as(admin.describe()).contains("django");

        long id = Products.ids(gateway).get(0);
        int stock = ThreadLocalRandom.current().nextInt(100, 10_000);
        Http.Response write = Http.postJson(gateway.url("/api/products/" + id + "/stock"), Map.of("stock", stock));
        assertThat(write.status()).as(write.describe()).isEqualTo(200);
        assertThat(write.header("X-Backend")).as(write.describe()).contains("django");

        Http.Response read = Http.get(gateway.url("/api/products/" + id), Gateway.OVERRIDE_HEADER, "fastapi");
        assertThat(read.header("X-Backend")).as(read.describe()).contains("fastapi");
        assertThat(read.json().path("stock").asInt()).as(read.describe()).isEqualTo(stock);
    }
}
