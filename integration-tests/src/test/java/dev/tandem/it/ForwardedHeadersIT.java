package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import dev.tandem.it.support.RawHttp;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
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

    private static final InetAddress OTHER_CLIENT = loopback(2);

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

    /**
     * A client that is not a trusted proxy (127.0.0.2; the gateway and the trusted proxy are 127.0.0.1) is
     * known by its address from X-Forwarded-For, since the app's peer is the gateway.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void djangoSeesAnotherClientsAddressFromXForwardedFor() throws Exception {
        RawHttp.Response response = RawHttp.get(OTHER_CLIENT, gateway.url("/core/whoami"), Map.of());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode whoami = Http.JSON.readTree(response.body());
        assertThat(whoami.path("remote_addr").asText()).as(whoami.toString())
                .isEqualTo(stack.clientAddressSeenFrom(OTHER_CLIENT));
    }

    /**
     * Forged forwarding headers from a client do not steer the apps: the gateway replaces
     * X-Forwarded-Proto with what it saw and appends the real peer to X-Forwarded-For, whose rightmost
     * untrusted hop is what Django believes.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void forgedForwardingHeadersDoNotSteerTheApps() throws Exception {
        Map<String, String> forged = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.9",
                "X-Forwarded-Host", "evil.example");
        for (String path : new String[] {"/core/whoami", "/api/v2/whoami"}) {
            RawHttp.Response response = RawHttp.get(OTHER_CLIENT, gateway.url(path), forged);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode whoami = Http.JSON.readTree(response.body());
            assertThat(whoami.path("scheme").asText()).as(whoami.toString()).isEqualTo("http");
            assertThat(whoami.path("is_secure").asBoolean(false)).as(whoami.toString()).isFalse();
            assertThat(whoami.path("remote_addr").asText()).as(whoami.toString())
                    .isEqualTo(stack.clientAddressSeenFrom(OTHER_CLIENT));
            assertThat(whoami.path("host").asText()).as(whoami.toString()).isEqualTo(gateway.publicHost());
        }
    }

    /**
     * The other half of the contract, straight to Django: X-Forwarded-Proto and X-Forwarded-For are believed
     * from a trusted proxy (127.0.0.1 here) and ignored from any other peer (127.0.0.2).
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void djangoBelievesForwardingHeadersOnlyFromATrustedProxy() throws Exception {
        Map<String, String> forwarded = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.7");
        for (InetAddress peer : new InetAddress[] {loopback(1), OTHER_CLIENT}) {
            RawHttp.Response response = RawHttp.get(peer, stack.directUrl(Backend.DJANGO).resolve("/core/whoami"), forwarded);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            JsonNode whoami = Http.JSON.readTree(response.body());
            boolean trusted = stack.isTrustedProxy(peer);
            assertThat(whoami.path("is_secure").asBoolean()).as(peer + " " + whoami).isEqualTo(trusted);
            assertThat(whoami.path("scheme").asText()).as(peer + " " + whoami).isEqualTo(trusted ? "https" : "http");
            if (trusted) {
                assertThat(whoami.path("remote_addr").asText()).as(peer + " " + whoami).isEqualTo("198.51.100.7");
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void djangoRedirectsKeepThePublicHost() {
        Http.Response response = Http.get(gateway.url("/core/redirect"));
        assertThat(response.status()).as(response.describe()).isEqualTo(302);
        URI location = gateway.baseUrl().resolve(response.header("Location").orElseThrow());
        assertThat(location).as(response.describe()).isEqualTo(gateway.url("/"));
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode whoami(String path, String backend, String... headers) {
        Http.Response response = Http.get(gateway.url(path), headers);
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend);
        return response.json();
    }
}
