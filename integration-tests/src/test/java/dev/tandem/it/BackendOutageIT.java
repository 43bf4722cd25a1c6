package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One app goes away mid-test: its routes fail fast with 502 or 503 on every gateway, the other app's routes
 * are untouched, and once it is back its traffic recovers without restarting any gateway.
 */
@HybridStackTest
class BackendOutageIT {

    /** Well under any timeout: a refused connection must be answered at once, not waited on. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(3);

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aStoppedBackendFailsFastAloneAndRecovers(Backend down, HybridStack stack) {
        for (Gateway gateway : stack.gateways()) {
            assertAnswered(gateway, down);
        }
        stack.stop(down);
        try {
            for (Gateway gateway : stack.gateways()) {
                for (int attempt = 0; attempt < 3; attempt++) {
                    Http.Response failed = Http.get(gateway.url(probePath(down)), "X-Request-Id", Http.requestId());
                    assertThat(failed.status()).as(gateway.name() + ": " + failed.describe()).isIn(502, 503);
                    assertThat(failed.elapsed()).as(gateway.name() + ": " + failed.describe()).isLessThan(FAIL_FAST);
                    assertThat(failed.header("X-Backend")).as(failed.describe()).isEmpty();
                    assertAnswered(gateway, down.other());
                }
            }
        } finally {
            stack.start(down);
        }
        for (Gateway gateway : stack.gateways()) {
            await().alias(gateway.name() + " recovers " + down.id())
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreException(UncheckedIOException.class)
                    .until(() -> Http.get(gateway.url(probePath(down))).status() == 200);
            for (int i = 0; i < 5; i++) {
                assertAnswered(gateway, down);
                assertAnswered(gateway, down.other());
            }
        }
    }

    private static void assertAnswered(Gateway gateway, Backend backend) {
        Http.Response response = Http.get(gateway.url(probePath(backend)));
        assertThat(response.status()).as(gateway.name() + ": " + response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend.id());
    }

    private static String probePath(Backend backend) {
        return backend == Backend.DJANGO ? "/core/whoami" : "/api/v2/stats";
    }
}
