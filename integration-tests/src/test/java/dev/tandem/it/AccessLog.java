package dev.tandem.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/** Finds an exchange in a gateway's JSON access log by its request id. */
final class AccessLog {

    private AccessLog() {
    }

    /** The line for {@code requestId}; it is written when the exchange completes, so wait a little for it. */
    static JsonNode entry(Gateway gateway, String requestId) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Optional<JsonNode> line = gateway.accessLog().stream()
                        .filter(e -> requestId.equals(e.path("request_id").asText()))
                        .findFirst();
                line.ifPresent(found::set);
                return line.isPresent();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no access-log line with request_id " + requestId + " from gateway "
                    + gateway.name() + "; its logs end with:\n" + gateway.logTail(), e);
        }
        return found.get();
    }
}
