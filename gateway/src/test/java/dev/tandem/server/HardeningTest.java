package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile input over raw sockets: smuggling and desync attempts are answered 400 and the connection closed (RFC 9112
 * section 6.3 and 11.2), limits answer their precise statuses, slow clients are cut off, and nothing reaches the
 * backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HardeningTest {
    private static TestBackend backend;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start("django");
        gateway = TestGateway.start("""
                listen { request-header-timeout = 500ms, idle-timeout = 2s, max-connections = 50 }
                limits { max-initial-line-length = 1k, max-header-size = 2k, max-request-body-size = 64k }
                backends { django { url = "%s" } }
                routes = [ { name = api, match { prefix = "/api" }, backend = django }
                           { name = admin, match { prefix = "/admin", methods = [GET] }, backend = django } ]
                """.formatted(backend.url()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CL and TE together|POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
            "two different Content-Lengths|POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\nab",
            "invalid Content-Length|POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1x\\r\\n\\r\\nab",
            "TE on HTTP/1.0|POST /api/x HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n",
            "TE not ending in chunked|POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n0\\r\\n\\r\\n",
            "invalid chunk size|POST /api/x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nab\\r\\n0\\r\\n\\r\\n",
            "obs-fold|GET /api/x HTTP/1.1\\r\\nHost: a\\r\\nX-Folded: one\\r\\n two\\r\\n\\r\\n",
            "control character in a header value|GET /api/x HTTP/1.1\\r\\nHost: a\\r\\nX-Bad: a\\u0001b\\r\\n\\r\\n",
            "space before the colon|GET /api/x HTTP/1.1\\r\\nHost: a\\r\\nX-Bad : b\\r\\n\\r\\n",
            "bare LF line ending|GET /api/x HTTP/1.1\\nHost: a\\n\\n",
            "invalid method|G(T /api/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
            "missing Host on HTTP/1.1|GET /api/x HTTP/1.1\\r\\n\\r\\n",
            "fragment in the target|GET /api/x#frag HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
            "target not in origin or absolute form|GET api/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n",
    })
    void smugglingAndMalformedRequestsGet400AndAClosedConnection(String name, String request) throws Exception {
        int before = backend.requests("/api/x");
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send(unescape(request)).readResponse();

            assertThat(response).startsWith("HTTP/1.1 400").contains("connection: close");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
        assertThat(backend.requests("/api/x")).isEqualTo(before);
    }

    @Test
    void aTooLongRequestLineGets414() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /api/" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();

            assertThat(response).startsWith("HTTP/1.1 414");
            assertThat(raw.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void tooLargeHeadersGet431() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(4000) + "\r\n\r\n")
                    .readResponse();

            assertThat(response).startsWith("HTTP/1.1 431");
        }
    }

    @Test
    void aDeclaredBodyOverTheLimitGets413BeforeAnyByteIsForwarded() throws Exception {
        int before = backend.requests("/api/upload");
        try (RawHttp raw = new RawHttp(gateway.port())) {
            String response = raw.send("POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n")
                    .readResponse();

            assertThat(response).startsWith("HTTP/1.1 413").contains("request body larger than 65536 bytes");
        }
        assertThat(backend.requests("/api/upload")).isEqualTo(before);
    }

    @Test
    void aChunkedBodyGrowingOverTheLimitGets413() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("POST /api/sha256 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = Integer.toHexString(16384) + "\r\n" + "x".repeat(16384) + "\r\n";
            for (int i = 0; i < 5; i++) {
                raw.send(chunk);
            }
            String response = raw.readResponse();

            assertThat(response).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void aPathThatDotSegmentsOutOfItsRouteIsRoutedByWhereItLands() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            // Normalised to /admin/x before routing; admin only takes GET, so this POST matches no route.
            String response = raw.send("POST /api/../admin/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
                    .readResponse();
            assertThat(response).startsWith("HTTP/1.1 404").contains("no route matches POST /admin/x");

            String encoded = raw.send("GET /api/%2e%2e/admin/y HTTP/1.1\r\nHost: a\r\n\r\n").readResponse();
            assertThat(encoded).startsWith("HTTP/1.1 200").endsWith("django:/admin/y");
        }
    }

    @Test
    void aSlowlorisHeadIsDroppedAfterTheHeaderTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.setTimeout(3000);
            raw.send("GET /api/x HTTP/1.1\r\nHost: a\r\n");
            long start = System.nanoTime();
            assertThat(raw.isClosedByPeer()).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).isBetween(300L, 2500L);
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.setTimeout(5000);
            assertThat(raw.send("GET /api/ok HTTP/1.1\r\nHost: a\r\n\r\n").readResponse()).startsWith("HTTP/1.1 200");
            long start = System.nanoTime();
            assertThat(raw.isClosedByPeer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1500L, 4500L);
        }
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001");
    }
}
