package dev.tandem.it.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tandem.it.support.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gateway's admin API, as an operator calls it: every call carries {@code Authorization: Bearer <token>}
 * (changes always need it; reads need it too where the admin listener is off loopback, as in containers).
 */
public final class GatewayAdmin {

    private final Gateway gateway;

    private GatewayAdmin(Gateway gateway) {
        this.gateway = gateway;
    }

    public static GatewayAdmin of(Gateway gateway) {
        return new GatewayAdmin(gateway);
    }

    private HttpRequest.Builder request(String path) {
        return Http.request(gateway.adminUrl().resolve(path)).header("Authorization", "Bearer " + Gateway.ADMIN_TOKEN);
    }

    private JsonNode read(String path) {
        Http.Response response = Http.send(request(path).GET().build());
        assertThat(response.status()).as(gateway.name() + ": " + response.describe()).isEqualTo(200);
        return response.json();
    }

    /** {@code GET /api/routes}. */
    public JsonNode routes() {
        return read("/api/routes");
    }

    /** The weights of one route as {@code GET /api/routes} shows them, in declared order. */
    public Map<String, Integer> weights(String route) {
        for (JsonNode node : routes().path("routes")) {
            if (node.path("route").asText().equals(route)) {
                Map<String, Integer> weights = new LinkedHashMap<>();
                node.path("weights").fields().forEachRemaining(w -> weights.put(w.getKey(), w.getValue().asInt()));
                return weights;
            }
        }
        throw new AssertionError("no route " + route + " in " + gateway.name() + "'s /api/routes");
    }

    /** {@code GET /api/stats}. */
    public JsonNode stats() {
        return read("/api/stats");
    }

    /** {@code GET /api/mirrors}. */
    public JsonNode mirrors() {
        return read("/api/mirrors");
    }

    /**
     * One route's entry of {@code GET /api/mirrors}, or a missing node if nothing was mirrored on it yet (the
     * gateway lists a route once its first request was considered for mirroring).
     */
    public JsonNode mirror(String route) {
        for (JsonNode node : mirrors().path("routes")) {
            if (node.path("route").asText().equals(route)) {
                return node;
            }
        }
        return MissingNode.getInstance();
    }

    /** {@code PUT /api/routes/{route}/weights} with {@code {"weights":{...}}}, in the map's order. */
    public Http.Response putWeights(String route, Map<String, Integer> weights) {
        try {
            String body = Http.JSON.writeValueAsString(Map.of("weights", weights));
            return Http.send(request("/api/routes/" + route + "/weights")
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code DELETE /api/routes/{route}/weights}: back to the file's weights. */
    public Http.Response clearWeights(String route) {
        return Http.send(request("/api/routes/" + route + "/weights").DELETE().build());
    }

    /** {@code POST /api/reload}; fails unless the gateway accepted the file. */
    public JsonNode reload() {
        Http.Response response = Http.send(request("/api/reload").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(response.status()).as(gateway.name() + " reload: " + response.describe()).isEqualTo(200);
        JsonNode status = response.json();
        assertThat(status.path("accepted").asBoolean()).as(gateway.name() + " reload: " + response.describe()).isTrue();
        return status;
    }
}
