package dev.tandem.http1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.http1.Http1Writer.RequestEdits;
import dev.tandem.http1.Http1Writer.ResponseEdits;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Http1Writer}'s output compared as text, byte for byte: what a backend's response head becomes on its way to
 * the client, what a client's request head becomes on its way to the backend, Tandem's own responses, and the chunk
 * framing. Every buffer written is released.
 */
class Http1WriterTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString BACKEND = AsciiString.cached("x-backend");
    private static final AsciiString SHADOW = AsciiString.cached("x-tandem-shadow");
    private static final AsciiString OVERRIDE = AsciiString.cached("x-tandem-backend");

    /** The text of {@code buf}, which is then released. */
    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    private static ResponseHead responseHead(String head) {
        return ResponseDecoder.parse(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static RequestHead requestHead(String head) {
        return RequestDecoder.parse(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static ResponseEdits responseEdits(boolean chunked, @Nullable String connection, boolean upgrade) {
        return new ResponseEdits(chunked, connection == null ? null : AsciiString.of(connection), upgrade, BACKEND,
                "django", REQUEST_ID, "rid-1");
    }

    private static String rewrittenResponse(String head, ResponseEdits edits) {
        return text(Http1Writer.responseHead(ALLOC, responseHead(head), edits));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // responseHead

    static Stream<Arguments> responseRewrites() {
        String ours = "x-backend: django\r\nx-request-id: rid-1\r\n\r\n";
        return Stream.of(
                Arguments.of("hop-by-hop fields are dropped",
                        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
                                + "Proxy-Connection: keep-alive\r\nProxy-Authenticate: Basic realm=x\r\n"
                                + "Proxy-Authorization: Basic eA==\r\nTrailer: X-Checksum\r\nUpgrade: h2c\r\n"
                                + "Content-Length: 2\r\nX-Keep: yes\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Keep: yes\r\n" + ours),
                Arguments.of("TE is dropped unless it is trailers",
                        "HTTP/1.1 200 OK\r\nTE: gzip\r\nTE: Trailers\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nTE: Trailers\r\nContent-Length: 0\r\n" + ours),
                Arguments.of("fields named in Connection are dropped, but never Content-Length or Host",
                        "HTTP/1.1 200 OK\r\nConnection: X-Hop, content-length,HOST , x-other\r\nX-Hop: 1\r\n"
                                + "Host: h\r\nContent-Length: 3\r\nx-OTHER: 2\r\nX-Hopper: 3\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nHost: h\r\nContent-Length: 3\r\nX-Hopper: 3\r\n" + ours),
                Arguments.of("a chunked body to the client drops Content-Length and says chunked once",
                        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: b\r\n\r\n",
                        responseEdits(true, null, false),
                        "HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\n" + ours),
                Arguments.of("the backend's chunked framing is redone by Tandem",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 10\r\nX-A: b\r\n\r\n",
                        responseEdits(true, null, false),
                        "HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\n" + ours),
                Arguments.of("a Connection value is added",
                        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, "close", false),
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nconnection: close\r\n" + ours),
                Arguments.of("a 101 for a WebSocket keeps Upgrade and says Connection: upgrade",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                        responseEdits(false, "keep-alive", true),
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nconnection: upgrade\r\n"
                                + ours),
                Arguments.of("the backend's own backend header is replaced",
                        "HTTP/1.1 200 OK\r\nX-Backend: spoofed\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + ours),
                Arguments.of("the backend's request id is kept and not added twice",
                        "HTTP/1.1 200 OK\r\nX-Request-ID: from-backend\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nX-Request-ID: from-backend\r\nContent-Length: 0\r\nx-backend: django\r\n\r\n"),
                Arguments.of("other fields are copied byte for byte, case and spacing kept",
                        "HTTP/1.1 200 OK\r\nx-MiXeD-CaSe:   spaced  value \t\r\nSet-Cookie: a=1; Path=/\r\n"
                                + "set-cookie:b=2\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 200 OK\r\nx-MiXeD-CaSe:   spaced  value \t\r\nSet-Cookie: a=1; Path=/\r\n"
                                + "set-cookie:b=2\r\nContent-Length: 0\r\n" + ours),
                Arguments.of("an HTTP/1.0 status line goes out as HTTP/1.1 with its reason",
                        "HTTP/1.0 404 Nicht Gefunden\r\nContent-Length: 0\r\n\r\n",
                        responseEdits(false, "close", false),
                        "HTTP/1.1 404 Nicht Gefunden\r\nContent-Length: 0\r\nconnection: close\r\n" + ours),
                Arguments.of("a status line without a reason keeps the space after the code",
                        "HTTP/1.1 204\r\n\r\n",
                        responseEdits(false, null, false),
                        "HTTP/1.1 204 \r\n" + ours),
                Arguments.of("no backend header when none is configured",
                        "HTTP/1.1 200 OK\r\nX-Backend: kept\r\nContent-Length: 0\r\n\r\n",
                        new ResponseEdits(false, null, false, null, "django", REQUEST_ID, "rid-1"),
                        "HTTP/1.1 200 OK\r\nX-Backend: kept\r\nContent-Length: 0\r\nx-request-id: rid-1\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseRewrites")
    void theResponseHeadIsTheBackendsMinusHopByHopPlusOurs(String name, String head, ResponseEdits edits,
            String expected) {
        assertThat(rewrittenResponse(head, edits)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "status {0}")
    @CsvSource(delimiter = '|', value = {"100|Continue", "200|OK", "302|Found", "404|Not Found", "502|Bad Gateway",
            "599|Whatever"})
    void theStatusCodeIsWrittenAsThreeDigits(int code, String reason) {
        String out = rewrittenResponse("HTTP/1.1 " + code + " " + reason + "\r\nContent-Length: 0\r\n\r\n",
                responseEdits(false, null, false));

        assertThat(out).startsWith("HTTP/1.1 " + code + " " + reason + "\r\n");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // upstreamRequestHead

    private static RequestEdits requestEdits(@Nullable String clientAddress, @Nullable String forwardedHost,
            boolean upgrade, boolean dropExpect) {
        return new RequestEdits("backend:8080", clientAddress, forwardedHost, REQUEST_ID, "rid-1", upgrade, OVERRIDE,
                SHADOW, dropExpect);
    }

    private static String upstream(String head, String uri, RequestEdits edits) {
        return text(Http1Writer.upstreamRequestHead(ALLOC, requestHead(head), uri, edits));
    }

    private static final String FORWARDING = "host: backend:8080\r\nx-forwarded-for: 10.0.0.9\r\n"
            + "x-forwarded-proto: http\r\nx-forwarded-host: client.example\r\nx-request-id: rid-1\r\n\r\n";

    static Stream<Arguments> requestRewrites() {
        RequestEdits plain = requestEdits("10.0.0.9", "client.example", false, false);
        return Stream.of(
                Arguments.of("the request line takes the given target and HTTP/1.1",
                        "GET /orig?q=1 HTTP/1.0\r\nHost: client.example\r\n\r\n", "/rewritten?q=1", plain,
                        "GET /rewritten?q=1 HTTP/1.1\r\n" + FORWARDING),
                Arguments.of("hop-by-hop fields and fields named in Connection are dropped",
                        "POST /x HTTP/1.1\r\nHost: client.example\r\nConnection: keep-alive, X-Hop\r\n"
                                + "Keep-Alive: 300\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\n"
                                + "Proxy-Authenticate: x\r\nTE: gzip\r\nTrailer: X-Sum\r\nUpgrade: h2c\r\nX-Hop: 1\r\n"
                                + "Accept: */*\r\n\r\n", "/x", plain,
                        "POST /x HTTP/1.1\r\nAccept: */*\r\n" + FORWARDING),
                Arguments.of("TE: trailers is kept",
                        "GET /x HTTP/1.1\r\nHost: client.example\r\nTE: trailers\r\n\r\n", "/x", plain,
                        "GET /x HTTP/1.1\r\nTE: trailers\r\n" + FORWARDING),
                Arguments.of("framing fields pass unchanged, even when named in Connection",
                        "POST /x HTTP/1.1\r\nHost: client.example\r\nConnection: Content-Length, Transfer-Encoding\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n", "/x", plain,
                        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + FORWARDING),
                Arguments.of("Content-Length passes unchanged",
                        "POST /x HTTP/1.1\r\nContent-Length: 12\r\nHost: client.example\r\n\r\n", "/x", plain,
                        "POST /x HTTP/1.1\r\nContent-Length: 12\r\n" + FORWARDING),
                Arguments.of("the client's X-Forwarded-For values come first, all of them, comma-joined",
                        "GET /x HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nHost: client.example\r\n"
                                + "x-forwarded-for: 2.2.2.2, 3.3.3.3\r\nX-Forwarded-For:\r\n\r\n", "/x", plain,
                        "GET /x HTTP/1.1\r\nhost: backend:8080\r\n"
                                + "x-forwarded-for: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9\r\nx-forwarded-proto: http\r\n"
                                + "x-forwarded-host: client.example\r\nx-request-id: rid-1\r\n\r\n"),
                Arguments.of("the client's X-Forwarded-For goes on alone when the client address is unknown",
                        "GET /x HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\n\r\n", "/x",
                        requestEdits(null, null, false, false),
                        "GET /x HTTP/1.1\r\nhost: backend:8080\r\nx-forwarded-for: 1.1.1.1, 2.2.2.2\r\n"
                                + "x-forwarded-proto: http\r\nx-request-id: rid-1\r\n\r\n"),
                Arguments.of("no X-Forwarded-For or X-Forwarded-Host when there is nothing to say",
                        "GET /x HTTP/1.1\r\nX-Forwarded-Host: spoofed\r\n\r\n", "/x",
                        requestEdits(null, null, false, false),
                        "GET /x HTTP/1.1\r\nhost: backend:8080\r\nx-forwarded-proto: http\r\nx-request-id: rid-1\r\n\r\n"),
                Arguments.of("the client's X-Forwarded-Proto, X-Forwarded-Host and request id are replaced",
                        "GET /x HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-Proto: https\r\n"
                                + "X-Forwarded-Host: spoofed\r\nX-Request-Id: client-id\r\nx-request-id: again\r\n\r\n",
                        "/x", plain, "GET /x HTTP/1.1\r\n" + FORWARDING),
                Arguments.of("the shadow marker and the backend override are never forwarded",
                        "GET /x HTTP/1.1\r\nHost: client.example\r\nX-Tandem-Shadow: 1\r\nX-Tandem-Backend: other\r\n"
                                + "X-Keep: 1\r\n\r\n", "/x", plain,
                        "GET /x HTTP/1.1\r\nX-Keep: 1\r\n" + FORWARDING),
                Arguments.of("Expect is kept when Tandem did not answer it",
                        "PUT /x HTTP/1.1\r\nHost: client.example\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
                        "/x", plain,
                        "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n" + FORWARDING),
                Arguments.of("Expect is dropped when Tandem answered it",
                        "PUT /x HTTP/1.1\r\nHost: client.example\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
                        "/x", requestEdits("10.0.0.9", "client.example", false, true),
                        "PUT /x HTTP/1.1\r\nContent-Length: 1\r\n" + FORWARDING),
                Arguments.of("a WebSocket handshake keeps Upgrade and says Connection: upgrade",
                        "GET /ws HTTP/1.1\r\nHost: client.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                        "/ws", requestEdits("10.0.0.9", "client.example", true, false),
                        "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + "Sec-WebSocket-Version: 13\r\n"
                                + FORWARDING.substring(0, FORWARDING.length() - 2) + "connection: upgrade\r\n\r\n"),
                Arguments.of("other fields are copied byte for byte, case and spacing kept",
                        "GET /x HTTP/1.1\r\nhOsT: client.example\r\nx-MiXeD:  a  b \t\r\nCookie: a=1; b=2\r\n\r\n",
                        "/x", plain,
                        "GET /x HTTP/1.1\r\nx-MiXeD:  a  b \t\r\nCookie: a=1; b=2\r\n" + FORWARDING),
                Arguments.of("a custom method is written as it came",
                        "PURGE /cache HTTP/1.1\r\nHost: client.example\r\n\r\n", "/cache", plain,
                        "PURGE /cache HTTP/1.1\r\n" + FORWARDING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestRewrites")
    void theUpstreamRequestHeadIsTheClientsMinusHopByHopPlusForwardingFields(String name, String head, String uri,
            RequestEdits edits, String expected) {
        assertThat(upstream(head, uri, edits)).isEqualTo(expected);
    }

    @Test
    void aWebSocketHandshakeWithoutTheUpgradeEditLosesItsUpgradeField() {
        String out = upstream("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "/ws",
                requestEdits(null, null, false, false));

        assertThat(out.toLowerCase()).doesNotContain("upgrade");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tandem's own messages and chunk framing

    @Test
    void aFullResponseIsItsStatusLineFieldsAndBodyAndIsReleased() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                Unpooled.copiedBuffer("{\"error\":1}", StandardCharsets.US_ASCII));
        response.headers().set("content-type", "application/json").set("content-length", 11)
                .set("connection", "close");

        String out = text(Http1Writer.response(ALLOC, response));

        assertThat(out).isEqualTo("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 11\r\n"
                + "connection: close\r\n\r\n{\"error\":1}");
        assertThat(response.refCnt()).isZero();
    }

    @Test
    void aFullResponseWithoutFieldsOrBodyIsTheStatusLineAndAnEmptyLine() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(503, "Busy Now"));

        assertThat(text(Http1Writer.response(ALLOC, response))).isEqualTo("HTTP/1.1 503 Busy Now\r\n\r\n");
        assertThat(response.refCnt()).isZero();
    }

    @Test
    void aFullResponseIsReleasedEvenWhenWritingItFails() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
        ByteBufAllocator failing = new AbstractByteBufAllocator() {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                throw new IllegalStateException("out of memory");
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                throw new IllegalStateException("out of memory");
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };

        assertThatThrownBy(() -> Http1Writer.response(failing, response)).hasMessage("out of memory");

        assertThat(response.refCnt()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // shadowRequestHead

    private static RequestEdits shadowEdits(@Nullable String host) {
        return new RequestEdits(host, "10.0.0.9", "client.example", REQUEST_ID, "rid-1", false, OVERRIDE, SHADOW, true);
    }

    private static final String SHADOW_FIELDS = "x-forwarded-for: 10.0.0.9\r\nx-forwarded-proto: http\r\n"
            + "x-forwarded-host: client.example\r\nx-request-id: rid-1\r\n";

    static Stream<Arguments> shadowRewrites() {
        return Stream.of(
                Arguments.of("a GET keeps the client's Host and is marked as a shadow",
                        "GET /x HTTP/1.1\r\nHost: client.example\r\nAccept: */*\r\n\r\n", 0, "client.example",
                        "GET /x HTTP/1.1\r\nAccept: */*\r\nhost: client.example\r\n" + SHADOW_FIELDS
                                + "x-tandem-shadow: 1\r\n\r\n"),
                Arguments.of("a chunked body goes out with the length it was buffered with",
                        "POST /x HTTP/1.1\r\nHost: client.example\r\nTransfer-Encoding: chunked\r\n\r\n", 5,
                        "client.example", "POST /x HTTP/1.1\r\nhost: client.example\r\n" + SHADOW_FIELDS
                                + "content-length: 5\r\nx-tandem-shadow: 1\r\n\r\n"),
                Arguments.of("the client's Content-Length gives way to the buffered length, Expect is dropped",
                        "PUT /x HTTP/1.1\r\nContent-Length: 99\r\nHost: client.example\r\nExpect: 100-continue\r\n"
                                + "\r\n", 7, "client.example", "PUT /x HTTP/1.1\r\nhost: client.example\r\n"
                                + SHADOW_FIELDS + "content-length: 7\r\nx-tandem-shadow: 1\r\n\r\n"),
                Arguments.of("a client's own shadow marker and hop-by-hop fields are dropped, ours written once",
                        "GET /x HTTP/1.1\r\nX-Tandem-Shadow: 0\r\nHost: client.example\r\nConnection: close, X-Hop\r\n"
                                + "X-Hop: 1\r\nKeep-Alive: 5\r\nX-Tandem-Backend: fastapi\r\n\r\n", 0,
                        "client.example", "GET /x HTTP/1.1\r\nhost: client.example\r\n" + SHADOW_FIELDS
                                + "x-tandem-shadow: 1\r\n\r\n"),
                Arguments.of("a request that came without Host goes without one",
                        "GET /x HTTP/1.0\r\nAccept: */*\r\n\r\n", 0, null,
                        "GET /x HTTP/1.1\r\nAccept: */*\r\n" + SHADOW_FIELDS + "x-tandem-shadow: 1\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shadowRewrites")
    void theShadowRequestHeadIsTheBackendsFramedForTheBufferedBodyAndMarked(String name, String head, int bodyLength,
            @Nullable String host, String expected) {
        String out = text(Http1Writer.shadowRequestHead(ALLOC, requestHead(head), "/x", shadowEdits(host),
                bodyLength));

        assertThat(out).isEqualTo(expected);
    }

    @ParameterizedTest(name = "size {0}")
    @CsvSource({"1,1", "10,a", "255,ff", "4096,1000", "65536,10000", "2147483647,7fffffff"})
    void aChunkHeaderIsTheSizeInHexAndCrlf(int size, String hex) {
        assertThat(text(Http1Writer.chunkHeader(ALLOC, size))).isEqualTo(hex + "\r\n");
    }

    static Stream<Arguments> constants() {
        return Stream.of(
                Arguments.of("chunkEnd", (Supplier<ByteBuf>) Http1Writer::chunkEnd, "\r\n"),
                Arguments.of("lastChunk", (Supplier<ByteBuf>) Http1Writer::lastChunk, "0\r\n\r\n"),
                Arguments.of("continueResponse", (Supplier<ByteBuf>) Http1Writer::continueResponse,
                        "HTTP/1.1 100 Continue\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constants")
    void aSharedConstantIsWholeEachTimeHoweverEarlierCopiesWereReadAndReleased(String name, Supplier<ByteBuf> constant,
            String expected) {
        ByteBuf first = constant.get();
        first.skipBytes(first.readableBytes()); // as a write consumes it
        first.release();

        ByteBuf second = constant.get();

        assertThat(second.isReadOnly()).isTrue();
        assertThat(text(second)).isEqualTo(expected);
        assertThat(text(constant.get())).isEqualTo(expected);
    }
}
