package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Backend;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;

/** 20 MiB each way through the gateway to each app, byte for byte (SHA-256), so nothing is lost or reordered. */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class LargeBodyIT {

    private static final int SIZE = 20 * 1024 * 1024;
    private static final String PATTERN_SHA256 = patternSha256();

    @Parameter
    int eventLoops;

    private Gateway gateway;

    @BeforeEach
    void setUp(HybridStack stack) {
        this.gateway = stack.gateway(eventLoops);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void uploadArrivesIntact(Backend backend) {
        byte[] body = new byte[SIZE];
        new Random(SIZE + eventLoops).nextBytes(body);

        Http.Response response = Http.send(Http.request(gateway.url(blobPath(backend)))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend.id());
        JsonNode received = response.json();
        assertThat(received.path("bytes").asLong()).as(received.toString()).isEqualTo(SIZE);
        assertThat(received.path("sha256").asText()).as(received.toString()).isEqualTo(Http.sha256(body));
    }

    /**
     * The apps stream a pattern (byte i is i % 256), with a Content-Length or, with {@code chunked=true},
     * chunked; both framings must arrive complete and unchanged.
     */
    @ParameterizedTest(name = "{0}, chunked={1}")
    @CsvSource({"DJANGO, false", "DJANGO, true", "FASTAPI, false", "FASTAPI, true"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void downloadArrivesIntact(Backend backend, boolean chunked) {
        String path = blobPath(backend) + "?size=" + SIZE + (chunked ? "&chunked=true" : "");
        Http.Response response = Http.send(Http.request(gateway.url(path)).timeout(Duration.ofSeconds(60)).GET().build());

        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend.id());
        byte[] body = response.body();
        assertThat(body.length).as(response.describe()).isEqualTo(SIZE);
        assertThat(Http.sha256(body)).as(response.describe()).isEqualTo(PATTERN_SHA256);
    }

    private static String patternSha256() {
        byte[] pattern = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            pattern[i] = (byte) i;
        }
        return Http.sha256(pattern);
    }

    private static String blobPath(Backend backend) {
        return backend == Backend.DJANGO ? "/core/blob" : "/api/v2/blob";
    }
}
