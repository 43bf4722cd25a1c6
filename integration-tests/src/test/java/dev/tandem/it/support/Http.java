package dev.tandem.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A plain HTTP/1.1 client for the tests: no redirects followed, every exchange timed. */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private Http() {
    }

    public static HttpClient client() {
        return CLIENT;
    }

    /** A fresh {@code X-Request-Id}, to find the exchange in the gateway's access log. */
    public static String requestId() {
        return "it-" + UUID.randomUUID();
    }

    /** Without an explicit timeout, a whole exchange (head and body) gets this long. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    public static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(DEFAULT_TIMEOUT);
    }

    public static Response get(URI uri, String... headers) {
        HttpRequest.Builder builder = request(uri).GET();
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return send(builder.build());
    }

    public static Response postJson(URI uri, Object body, String... headers) {
        try {
            HttpRequest.Builder builder = request(uri)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (headers.length > 0) {
                builder.headers(headers);
            }
            return send(builder.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends and reads the whole response. The request's timeout bounds the whole exchange, body included
     * (the client's own timeout stops at the response head), so a stalled body fails with a clear message.
     */
    public static Response send(HttpRequest request) {
        long start = System.nanoTime();
        Duration timeout = request.timeout().orElse(DEFAULT_TIMEOUT);
        CompletableFuture<HttpResponse<byte[]>> exchange = CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            HttpResponse<byte[]> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Response(request, response.statusCode(), response.headers(), response.body(),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new UncheckedIOException(new HttpTimeoutException(request.method() + " " + request.uri()
                    + ": no complete response within " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed: " + cause,
                    cause instanceof IOException io ? io : new IOException(cause));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One exchange's outcome. */
    public record Response(HttpRequest request, int status, HttpHeaders headers, byte[] body, Duration elapsed) {

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + describe(), e);
            }
        }

        /** For assertion messages: the request line, status, headers and the start of the body. */
        public String describe() {
            String start = new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
            return request.method() + " " + request.uri() + " -> " + status + " in " + elapsed.toMillis() + " ms\n"
                    + headers.map() + "\n" + start + (body.length > 600 ? "... (" + body.length + " bytes)" : "");
        }
    }
}
