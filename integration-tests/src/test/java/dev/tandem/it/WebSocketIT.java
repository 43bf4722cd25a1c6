package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.io.IOException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/** A WebSocket upgraded through the gateway to FastAPI: a hello, then an echo of every text frame. */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class WebSocketIT {

    @Parameter
    int eventLoops;

    private Gateway gateway;

    @BeforeEach
    void setUp(HybridStack stack) {
        gateway = stack.gateway(eventLoops);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void helloThenEchoThroughTheGateway() throws Exception {
        Frames frames = new Frames();
        WebSocket socket = Http.client().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .header("X-Request-Id", Http.requestId())
                .buildAsync(gateway.wsUrl("/api/v2/ws/stock"), frames)
                .get(10, TimeUnit.SECONDS);

        JsonNode hello = frames.next();
        assertThat(hello.path("type").asText()).as(hello.toString()).isEqualTo("hello");

        for (int i = 0; i < 3; i++) {
            String payload = "ping-" + eventLoops + "-" + i + "-" + "x".repeat(i * 2000);
            socket.sendText(payload, true).get(5, TimeUnit.SECONDS);
            JsonNode echo = frames.next();
            assertThat(echo.path("type").asText()).as(echo.toString()).isEqualTo("echo");
            assertThat(echo.path("data").asText()).isEqualTo(payload);
        }

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertThat(frames.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    /** Collects whole text messages (a message may arrive in several parts). */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
            messages.add("{\"type\":\"error\",\"data\":\"" + error + "\"}");
        }

        JsonNode next() throws InterruptedException, IOException {
            String message = messages.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a WebSocket message within 10 s").isNotNull();
            return Http.JSON.readTree(message);
        }
    }
}
