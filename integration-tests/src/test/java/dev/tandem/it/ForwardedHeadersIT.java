package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What each app learns about the client through the gateway: its address (from {@code X-Forwarded-For}),
 * its scheme (from {@code X-Forwarded-Proto}, which the gateway writes from what it saw, replacing whatever
 * the client sent) and the public {@code Host}, which absolute URLs and redirects must keep.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class ForwardedHeadersIT {

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
    void djangoSeesTheClientAddressSchemeAndPublicHost() {
        JsonNode whoami = whoami("/core/whoami", "django");
        assertThat(whoami.path("remote_addr").asText()).as(whoami.toString()).isEqualTo(stack.clientAddress());
        assertThat(whoami.path("is_secure").asBoolean(true)).as(whoami.toString()).isFalse();
        assertThat(whoami.path("scheme").asText()).as(whoami.toString()).isEqualTo("http");
        assertThat(whoami.path("host").asText()).as(whoami.toString()).isEqualTo(gateway.publicHost());
        assertThat(whoami.path("absolute_uri").asText()).as(whoami.toString())
                .isEqualTo("http://" + gateway.publicHost() + "/core/whoami");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void fastApiSeesTheClientAddressSchemeAndPublicHost() {
        JsonNode whoami = whoami("/api/v2/whoami", "fastapi");
        assertThat(whoami.path("remote_addr").asText()).as(whoami.toString()).isEqualTo(stack.clientAddress());
        assertThat(whoami.path("scheme").asText()).as(whoami.toString()).isEqualTo("http");
        assertThat(whoami.path("host").asText()).as(whoami.toString()).isEqualTo(gateway.publicHost());
    }

    /** Forged forwarding headers from the client must not reach the apps as if the gateway wrote them. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void forgedForwardingHeadersAreReplacedByWhatTheGatewaySaw() {
        JsonNode whoami = whoami("/core/whoami", "django",
                "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9");
        assertThat(whoami.path("is_secure").asBoolean(true)).as(whoami.toString()).isFalse();
        assertThat(whoami.path("scheme").asText()).as(whoami.toString()).isEqualTo("http");
        assertThat(whoami.path("remote_addr").asText()).as(whoami.toString()).isEqualTo(stack.clientAddress());
    }

    /** The other half of the contract: from its trusted proxy, Django believes X-Forwarded-Proto. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void djangoIsSecureUnderXForwardedProtoHttpsFromATrustedProxy() {
        Http.Response response = Http.get(stack.directUrl(Backend.DJANGO).resolve("/core/whoami"),
                "X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.7");
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        JsonNode whoami = response.json();
        assertThat(whoami.path("is_secure").asBoolean(false)).as(whoami.toString()).isTrue();
        assertThat(whoami.path("scheme").asText()).as(whoami.toString()).isEqualTo("https");
        assertThat(whoami.path("remote_addr").asText()).as(whoami.toString()).isEqualTo("198.51.100.7");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void djangoRedirectsKeepThePublicHost() {
        Http.Response response = Http.get(gateway.url("/core/redirect"));
        assertThat(response.status()).as(response.describe()).isEqualTo(302);
        URI location = gateway.baseUrl().resolve(response.header("Location").orElseThrow());
        assertThat(location).as(response.describe()).isEqualTo(gateway.url("/"));
    }

    private JsonNode whoami(String path, String backend, String... headers) {
        Http.Response response = Http.get(gateway.url(path), headers);
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend);
        return response.json();
    }
}
