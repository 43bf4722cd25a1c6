package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A closed client connection leaves nothing behind on its event loop: no timer keeps it reachable. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLifecycleTest {

    @Test
    void aConnectionPerRequestLeavesNoScheduledTaskBehind() throws Exception {
        try (TestBackend backend = TestBackend.start("django");
                TestGateway gateway = TestGateway.start("""
                        backends { django { url = "%s" } }
                        routes = [ { name = all, match { prefix = "/" }, backend = django } ]
                        """.formatted(backend.url()))) {
            EventExecutor loop = gateway.server().workerLoops().next();
            int before = scheduledTasks(loop);
            for (int i = 0; i < 200; i++) {
                try (RawHttp raw = new RawHttp(gateway.port())) {
                    assertThat(raw.send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse())
                            .startsWith("HTTP/1.1 200");
                }
            }
            // Each connection had an idle/head timer and a response timer; all of them must be gone.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(scheduledTasks(loop)).isLessThanOrEqualTo(before + 5));
        }
    }

    /** The loop's scheduled-task queue size, read on the loop itself. */
    private static int scheduledTasks(EventExecutor loop) throws Exception {
        AtomicReference<Integer> size = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
                queue.setAccessible(true);
                Object value = queue.get(loop);
                size.set(value == null ? 0 : ((Collection<?>) value).size());
                done.complete(null);
            } catch (ReflectiveOperationException e) {
                done.completeExceptionally(e);
            }
        });
        done.get(5, TimeUnit.SECONDS);
        return size.get();
    }
}
