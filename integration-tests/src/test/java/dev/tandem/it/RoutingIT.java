package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.net.http.HttpRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Hybrid routing: {@code /admin} and the core paths are answered by Django, {@code /api/v2} by FastAPI, and the
 * dual-served product reads by the side the file's split weighs 100 (Django) unless the override header picks
 * the other. Each answer is checked three ways: the app's own {@code X-Backend}, the gateway's
 * {@code X-Tandem-Backend}, and the gateway's access-log line for the request id.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class RoutingIT {

    @Parameter
    int eventLoops;

    private Gateway gateway;

    @BeforeEach
    void setUp(HybridStack stack) {
        gateway = stack.gateway(eventLoops);
    }

    @ParameterizedTest(name = "{0} {1} -> {2} via route {3}")
    @CsvSource(textBlock = """
            GET,  /admin/login/,           django,  admin
            GET,  /admin/,                 django,  admin
            GET,  /,                       django,  core
            GET,  /accounts/login/,        django,  core
            GET,  /core/whoami,            django,  core
            POST, /api/orders,             django,  core
            POST, /api/products/1/stock,   django,  core
            GET,  /api/products,           django,  products-read
            GET,  /api/products/1,         django,  products-read
            HEAD, /api/products,           django,  products-read
            GET,  /api/v2/stats,           fastapi, api-v2
            GET,  /api/v2/search?q=a,      fastapi, api-v2
            GET,  /api/v2/whoami,          fastapi, api-v2
            GET,  /api/v2extra,            django,  core
            GET,  /administrator,          django,  core
            """)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void eachPathIsAnsweredByItsBackend(String method, String path, String backend, String route) {
        assertAnsweredBy(method, path, null, backend, route);
    }

    /** The override header picks either backend of the split product reads, whatever the weights say. */
    @ParameterizedTest(name = "{0} {1} with override {2}")
    @CsvSource(textBlock = """
            GET,  /api/products,                 fastapi
            GET,  /api/products/1,               fastapi
            HEAD, /api/products,                 fastapi
            GET,  /api/products?page=2,          django
            GET,  /api/products/1,               django
            """)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theOverrideHeaderPicksABackendOfTheSplit(String method, String path, String backend) {
        assertAnsweredBy(method, path, backend, backend, "products-read");
    }

    /** On a route that is not split to the named backend, the override is refused, not silently ignored. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anOverrideNamingABackendTheRouteDoesNotHaveIsRefused() {
        Http.Response response = Http.get(gateway.url("/core/whoami"), Gateway.OVERRIDE_HEADER, "fastapi");
        assertThat(response.status()).as(response.describe()).isEqualTo(400);
        assertThat(response.header("X-Backend")).as(response.describe()).isEmpty();
        assertThat(response.text()).as(response.describe()).contains("core");
    }

    private void assertAnsweredBy(String method, String path, String override, String backend, String route) {
        String requestId = Http.requestId();
        HttpRequest.BodyPublisher body = method.equals("POST")
                ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody();
        HttpRequest.Builder request = Http.request(gateway.url(path))
                .method(method, body)
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId);
        if (override != null) {
            request.header(Gateway.OVERRIDE_HEADER, override);
        }
        Http.Response response = Http.send(request.build());

        assertThat(response.status()).as(response.describe()).isBetween(200, 499);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend);
        assertThat(response.header("X-Tandem-Backend")).as(response.describe()).contains(backend);

        JsonNode line = AccessLog.entry(gateway, requestId);
        assertThat(line.path("route").asText()).as(line.toString()).isEqualTo(route);
        assertThat(line.path("backend").asText()).as(line.toString()).isEqualTo(backend);
        assertThat(line.path("method").asText()).as(line.toString()).isEqualTo(method);
        assertThat(line.path("status").asInt()).as(line.toString()).isEqualTo(response.status());
        assertThat(line.path("path").asText()).as(line.toString()).startsWith(path.replaceAll("\\?.*", ""));
    }
}
