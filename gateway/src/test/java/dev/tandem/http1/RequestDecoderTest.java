package dev.tandem.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestDecoder} on an {@link EmbeddedChannel} with auto-read off, so that every message the decoder passes
 * on is one the test asked for with {@code ch.read()}: the parsed facts of valid heads, bodies however the bytes are
 * split, the one-message-per-read rule, and the RFC 9112 rules a request must keep (a failed head or a failed last
 * content, then silence).
 */
class RequestDecoderTest {
    private static final int MAX_LINE = 64;
    private static final int MAX_HEADER = 256;
    private static final String NEXT_REQUEST = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

    private static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false); // before the decoder is added: no read() is pending when it arrives
        ch.pipeline().addLast(new RequestDecoder(MAX_LINE, MAX_HEADER));
        return ch;
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** What the decoder passed on, described (and released), with the heads kept for their facts. */
    private record Received(List<String> messages, List<RequestHead> heads) {
        String body() {
            StringBuilder body = new StringBuilder();
            for (String m : messages) {
                if (m.startsWith("content ")) {
                    body.append(m.substring("content ".length()));
                } else if (m.startsWith("last ")) {
                    body.append(m.substring("last ".length()));
                }
            }
            return body.toString();
        }
    }

    /** Asks for messages, one read() at a time, until the decoder has none to give. */
    private static Received drain(EmbeddedChannel ch) {
        List<String> messages = new ArrayList<>();
        List<RequestHead> heads = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) { // passed on by a read() asked for earlier
            take(msg, messages, heads);
        }
        for (;;) {
            ch.read();
            msg = ch.readInbound();
            if (msg == null) {
                return new Received(messages, heads);
            }
            take(msg, messages, heads);
            assertThat((Object) ch.readInbound()).as("one message per read()").isNull();
        }
    }

    private static void take(Object msg, List<String> messages, List<RequestHead> heads) {
        if (msg instanceof RequestHead head) {
            heads.add(head);
        }
        messages.add(describe(msg));
    }

    /** Describes a message and releases it. */
    private static String describe(Object msg) {
        try {
            if (msg instanceof RequestHead head) {
                return head.decoderResult().isSuccess()
                        ? "head " + head.method() + " " + head.uri()
                        : "failed-head " + head.decoderResult().cause().getClass().getSimpleName();
            }
            if (msg instanceof LastHttpContent last) {
                return last.decoderResult().isSuccess() ? "last " + text(last.content()) : "failed-last";
            }
            if (msg instanceof HttpContent content) {
                return "content " + text(content.content());
            }
            if (msg instanceof ByteBuf buf) {
                return "bytes " + text(buf);
            }
            return "unexpected " + msg;
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    private static RequestHead onlyHead(String request) {
        EmbeddedChannel ch = channel();
        send(ch, request);
        Received received = drain(ch);
        assertThat(received.messages()).hasSize(1);
        assertThat(received.heads()).hasSize(1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
        RequestHead head = received.heads().get(0);
        assertThat(head.decoderResult().isSuccess()).isTrue();
        return head;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Valid heads

    @Test
    void aBodilessGetIsTheHeadAloneWithItsRequestLine() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");

        Received received = drain(ch);

        assertThat(received.messages()).containsExactly("head GET /path?q=1");
        RequestHead head = received.heads().get(0);
        assertThat(head.method()).isEqualTo(HttpMethod.GET);
        assertThat(head.uri()).isEqualTo("/path?q=1");
        assertThat(head.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(head.isBodyless()).isTrue();
        assertThat(head.contentLength()).isEqualTo(-1);
        assertThat(head.isChunked()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "GET|/|HTTP/1.1|GET",
            "POST|/form|HTTP/1.0|POST",
            "PURGE|/cache/x|HTTP/1.1|PURGE",
            "OPTIONS|*|HTTP/1.1|OPTIONS",
            "CONNECT|example.com:443|HTTP/1.1|CONNECT",
            "GET|http://example.com/a?b=c|HTTP/1.1|GET",
            "M-SEARCH|*|HTTP/1.1|M-SEARCH",
    })
    void theRequestLineIsParsedIntoMethodTargetAndVersion(String method, String uri, String version, String name) {
        RequestHead head = onlyHead(method + " " + uri + " " + version + "\r\nHost: a\r\n\r\n");

        assertThat(head.method().name()).isEqualTo(name);
        assertThat(head.uri()).isEqualTo(uri);
        assertThat(head.protocolVersion()).isEqualTo(HttpVersion.valueOf(version));
    }

    @ParameterizedTest(name = "{0} with [{1}] keep-alive={2}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/1.1||true",
            "HTTP/1.1|Connection: close|false",
            "HTTP/1.1|Connection: CLOSE|false",
            "HTTP/1.1|Connection: keep-alive, close|false",
            "HTTP/1.1|Connection: keep-alive|true",
            "HTTP/1.1|Connection: closed|true",
            "HTTP/1.0||false",
            "HTTP/1.0|Connection: keep-alive|true",
            "HTTP/1.0|Connection: Keep-Alive|true",
            "HTTP/1.0|Connection: x-foo ,  keep-alive |true",
            "HTTP/1.0|Connection: close|false",
    })
    void keepAliveFollowsTheVersionAndTheConnectionTokens(String version, String connection, boolean keepAlive) {
        String field = connection == null ? "" : connection + "\r\n";

        RequestHead head = onlyHead("GET / " + version + "\r\nHost: a\r\n" + field + "\r\n");

        assertThat(head.isKeepAlive()).isEqualTo(keepAlive);
    }

    @ParameterizedTest(name = "{0} {1} [{2}] expects 100-continue={3}")
    @CsvSource(delimiter = '|', value = {
            "PUT|HTTP/1.1|Expect: 100-continue|true",
            "PUT|HTTP/1.1|Expect: 100-Continue|true",
            "PUT|HTTP/1.1||false",
            "PUT|HTTP/1.1|Expect: something-else|false",
            "PUT|HTTP/1.0|Expect: 100-continue|false",
    })
    void expectsContinueOnlyForExpect100ContinueOnHttp11(String method, String version, String expect,
            boolean expected) {
        String field = expect == null ? "" : expect + "\r\n";

        RequestHead head = onlyHead(method + " /up " + version + "\r\nHost: a\r\n" + field + "\r\n");

        assertThat(head.expectsContinue()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} [{1}] [{2}] websocket={3}")
    @CsvSource(delimiter = '|', value = {
            "GET|Upgrade: websocket|Connection: Upgrade|true",
            "GET|Upgrade: WebSocket|Connection: keep-alive, upgrade|true",
            "GET|Upgrade: websocket||false",
            "GET||Connection: Upgrade|false",
            "GET|Upgrade: h2c|Connection: Upgrade|false",
            "POST|Upgrade: websocket|Connection: Upgrade|false",
    })
    void aWebSocketUpgradeIsAGetWithUpgradeWebsocketAndConnectionUpgrade(String method, String upgrade,
            String connection, boolean expected) {
        String fields = (upgrade == null ? "" : upgrade + "\r\n") + (connection == null ? "" : connection + "\r\n");

        RequestHead head = onlyHead(method + " /ws HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n");

        assertThat(head.isWebSocketUpgrade()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}] length={1} chunked={2} bodiless={3}")
    @CsvSource(delimiter = '|', value = {
            "|-1|false|true",
            "Content-Length: 0|0|false|true",
            "Content-Length: 5|5|false|false",
            "content-length: 000012|12|false|false",
            "Transfer-Encoding: chunked|-1|true|false",
            "Transfer-Encoding: Chunked|-1|true|false",
    })
    void theFramingFieldsGiveContentLengthChunkedAndBodiless(String framing, long length, boolean chunked,
            boolean bodiless) {
        EmbeddedChannel ch = channel();
        send(ch, "POST /x HTTP/1.1\r\nHost: a\r\n" + (framing == null ? "" : framing + "\r\n") + "\r\n");

        Received received = drain(ch);

        assertThat(received.messages()).containsExactly("head POST /x"); // no body bytes sent: nothing after it
        RequestHead head = received.heads().get(0);
        assertThat(head.contentLength()).isEqualTo(length);
        assertThat(head.isChunked()).isEqualTo(chunked);
        assertThat(head.isBodyless()).isEqualTo(bodiless);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void fieldsAreLookedUpIgnoringCaseWithValuesTrimmedAndEveryRepeatInOrder() {
        RequestHead head = onlyHead("GET / HTTP/1.1\r\nHost: a\r\nX-Multi: one\r\nx-multi:two, three\r\n"
                + "X-Pad: \t padded value \t\r\nX-Empty:\r\nX-MULTI: four\r\n\r\n");
        HeadFields fields = head.fields();

        assertThat(fields.size()).isEqualTo(6);
        assertThat(fields.get("x-MULTI")).isEqualTo("one");
        assertThat(fields.get(AsciiString.of("x-multi"))).isEqualTo("one");
        assertThat(fields.getAll("X-Multi")).containsExactly("one", "two, three", "four");
        assertThat(fields.getAll("x-multi")).containsExactly("one", "two, three", "four");
        assertThat(fields.get("x-pad")).isEqualTo("padded value");
        assertThat(fields.get("X-Empty")).isEmpty();
        assertThat(fields.get("x-absent")).isNull();
        assertThat(fields.getAll("x-absent")).isEmpty();
        assertThat(fields.name(1)).isEqualTo("X-Multi");
        assertThat(fields.name(2)).isEqualTo("x-multi");
        assertThat(fields.hasToken(AsciiString.of("x-multi"), AsciiString.of("three"))).isTrue();
        assertThat(fields.hasToken(AsciiString.of("x-multi"), AsciiString.of("thre"))).isFalse();
        assertThat(head.headers().getAll("X-MULTI")).containsExactly("one", "two, three", "four");
        assertThat(head.headers().get("host")).isEqualTo("a");
    }

    @Test
    void emptyLinesBeforeARequestLineAreIgnored() {
        EmbeddedChannel ch = channel();
        send(ch, "\r\n\r\nGET /first HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n");

        Received received = drain(ch);

        assertThat(received.messages()).containsExactly("head GET /first", "head GET /second");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEmptyLineSplitAcrossReadsBeforeTheRequestLineIsIgnored() {
        EmbeddedChannel ch = channel();
        send(ch, "\r");
        assertThat(drain(ch).messages()).isEmpty();
        send(ch, "\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(drain(ch).messages()).containsExactly("head GET /after");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bodies

    private static final String CL_REQUEST = "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
            + NEXT_REQUEST;
    private static final String CHUNKED_REQUEST = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6;a;b=\"q\"\r\n world\r\n0\r\nX-Trailer: t\r\nX-Checksum: abc\r\n\r\n"
            + NEXT_REQUEST;

    /** Feeds {@code request} in pieces of {@code size} bytes, reading all it can after each. */
    private static Received feedInPieces(EmbeddedChannel ch, String request, int size) {
        List<String> messages = new ArrayList<>();
        List<RequestHead> heads = new ArrayList<>();
        for (int at = 0; at < request.length(); at += size) {
            send(ch, request.substring(at, Math.min(request.length(), at + size)));
            Received part = drain(ch);
            messages.addAll(part.messages());
            heads.addAll(part.heads());
        }
        return new Received(messages, heads);
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 50, 10_000})
    void aContentLengthBodyComesWholeHoweverTheBytesAreSplitAndEndsWithALastContent(int size) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch, CL_REQUEST, size);

        List<String> messages = received.messages();
        assertThat(messages.get(0)).isEqualTo("head POST /up");
        assertThat(messages.get(messages.size() - 2)).startsWith("last ");
        assertThat(messages.get(messages.size() - 1)).isEqualTo("head GET /next");
        assertThat(messages.subList(1, messages.size() - 2)).allMatch(m -> m.startsWith("content "));
        assertThat(received.body()).isEqualTo("hello world");
        assertThat(received.heads().get(0).contentLength()).isEqualTo(11);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aContentLengthBodyWrittenInThreeReadsArrivesAsTwoContentsAndALastContent() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        List<String> messages = new ArrayList<>(drain(ch).messages());
        send(ch, "defg");
        messages.addAll(drain(ch).messages());
        send(ch, "hij");
        messages.addAll(drain(ch).messages());

        assertThat(messages).containsExactly("head POST /up", "content abc", "content defg", "last hij");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 50, 10_000})
    void aChunkedBodyIsDechunkedWithExtensionsIgnoredAndTrailersDropped(int size) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch, CHUNKED_REQUEST, size);

        List<String> messages = received.messages();
        assertThat(messages.get(0)).isEqualTo("head POST /up");
        assertThat(messages.get(messages.size() - 2)).isEqualTo("last "); // the trailer fields are not passed on
        assertThat(messages.get(messages.size() - 1)).isEqualTo("head GET /next");
        assertThat(messages.subList(1, messages.size() - 2)).allMatch(m -> m.startsWith("content "));
        assertThat(received.body()).isEqualTo("hello world");
        assertThat(received.heads().get(0).isChunked()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void eachChunkIsItsOwnContentAndTheLastContentHasNoTrailingHeaders() {
        EmbeddedChannel ch = channel();
        send(ch, CHUNKED_REQUEST);

        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("head POST /up");
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("content hello");
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("content  world");
        ch.read();
        LastHttpContent last = ch.readInbound();
        assertThat(last).isNotNull();
        assertThat(last.trailingHeaders().isEmpty()).isTrue();
        assertThat(last.content().readableBytes()).isZero();
        last.release();
        assertThat(drain(ch).messages()).containsExactly("head GET /next");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aChunkedBodyWithOnlyTheLastChunkIsJustALastContent() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        assertThat(drain(ch).messages()).containsExactly("head POST /up", "last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aContentLengthOfZeroIsTheHeadAloneAndTheNextRequestFollows() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /empty HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n" + NEXT_REQUEST);

        assertThat(drain(ch).messages()).containsExactly("head POST /empty", "head GET /next");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One message per read()

    @Test
    void aPipelinedRequestIsNotPassedOnBeforeTheHandlerReadsAgain() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat((Object) ch.readInbound()).as("nothing before a read()").isNull();
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("head GET /one");
        assertThat((Object) ch.readInbound()).as("the second request waits").isNull();
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("head GET /two");
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBodyAndTheNextRequestEachWaitForTheirOwnRead() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: a\r\n\r\n");

        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("head POST /a");
        assertThat((Object) ch.readInbound()).isNull();
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("last abc");
        assertThat((Object) ch.readInbound()).isNull();
        ch.read();
        assertThat(describe(ch.readInbound())).isEqualTo("head GET /b");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aReadWithNothingHereIsAnsweredByTheNextBytesThatHoldAMessage() {
        EmbeddedChannel ch = channel();
        ch.read(); // asked before anything arrived

        send(ch, "GET /late HTTP/1.1\r\n");
        assertThat((Object) ch.readInbound()).as("half a head is no message").isNull();
        send(ch, "Host: a\r\n\r\nGET /later HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(describe(ch.readInbound())).isEqualTo("head GET /late");
        assertThat((Object) ch.readInbound()).as("one message for one read()").isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Upgrades: the bytes after the head belong to whatever replaces the decoder

    private static final String UPGRADE_REQUEST =
            "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    @Test
    void removingTheDecoderAfterAnUpgradeHeadHandsTheBytesAfterItOnAsAByteBuf() {
        EmbeddedChannel ch = channel();
        send(ch, UPGRADE_REQUEST + "\u0081\u0005hello");
        ch.read();
        RequestHead head = ch.readInbound();
        assertThat(head.isWebSocketUpgrade()).isTrue();
        assertThat((Object) ch.readInbound()).isNull();
        send(ch, " more"); // arrives before the decoder is replaced

        ch.pipeline().remove(RequestDecoder.class);

        assertThat(describe(ch.readInbound())).isEqualTo("bytes \u0081\u0005hello more");
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removingTheDecoderWhileItsUpgradeHeadIsHandledPassesTheTunnelBytesOnAfterTheHead() {
        EmbeddedChannel ch = channel();
        List<String> seen = new ArrayList<>();
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(describe(msg));
                if (msg instanceof RequestHead head && head.isWebSocketUpgrade()) {
                    ctx.pipeline().remove(RequestDecoder.class);
                }
            }
        });

        send(ch, UPGRADE_REQUEST + "frame-bytes");
        ch.read();

        assertThat(seen).containsExactly("head GET /ws", "bytes frame-bytes");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removingTheDecoderWithNothingLeftPassesNothingOn() {
        EmbeddedChannel ch = channel();
        send(ch, UPGRADE_REQUEST);
        assertThat(drain(ch).messages()).containsExactly("head GET /ws");

        ch.pipeline().remove(RequestDecoder.class);

        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rejections

    static Stream<Arguments> rejected() {
        String post = "POST /x HTTP/1.1\r\nHost: a\r\n";
        String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
        String get = "GET /x HTTP/1.1\r\nHost: a\r\n";
        String failedHead = "failed-head DecoderException";
        return Stream.of(
                Arguments.of("Content-Length with Transfer-Encoding",
                        post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", List.of(failedHead)),
                Arguments.of("Transfer-Encoding before Content-Length",
                        post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", List.of(failedHead)),
                Arguments.of("two equal Content-Lengths",
                        post + "Content-Length: 1\r\nContent-Length: 1\r\n\r\na", List.of(failedHead)),
                Arguments.of("two different Content-Lengths",
                        post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", List.of(failedHead)),
                Arguments.of("a Content-Length list", post + "Content-Length: 1, 1\r\n\r\na", List.of(failedHead)),
                Arguments.of("a Content-Length with a letter", post + "Content-Length: 1x\r\n\r\na",
                        List.of(failedHead)),
                Arguments.of("a negative Content-Length", post + "Content-Length: -1\r\n\r\n", List.of(failedHead)),
                Arguments.of("a signed Content-Length", post + "Content-Length: +1\r\n\r\na", List.of(failedHead)),
                Arguments.of("an empty Content-Length", post + "Content-Length:\r\n\r\n", List.of(failedHead)),
                Arguments.of("a 19-digit Content-Length", post + "Content-Length: 1000000000000000000\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("Transfer-Encoding on HTTP/1.0",
                        "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", List.of(failedHead)),
                Arguments.of("Transfer-Encoding gzip", post + "Transfer-Encoding: gzip\r\n\r\n", List.of(failedHead)),
                Arguments.of("Transfer-Encoding chunked, gzip",
                        post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", List.of(failedHead)),
                Arguments.of("Transfer-Encoding gzip, chunked",
                        post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", List.of(failedHead)),
                Arguments.of("Transfer-Encoding chunked twice",
                        post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("obs-fold with a space", get + "X-Folded: one\r\n two\r\n\r\n", List.of(failedHead)),
                Arguments.of("obs-fold with a tab", get + "X-Folded: one\r\n\ttwo\r\n\r\n", List.of(failedHead)),
                Arguments.of("whitespace before the first field", "GET /x HTTP/1.1\r\n Host: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("a control character in a value", get + "X-Bad: a\u0001b\r\n\r\n", List.of(failedHead)),
                Arguments.of("a NUL in a value", get + "X-Bad: a\u0000b\r\n\r\n", List.of(failedHead)),
                Arguments.of("a DEL in a value", get + "X-Bad: a\u007fb\r\n\r\n", List.of(failedHead)),
                Arguments.of("a CR alone in a value", get + "X-Bad: a\rb\r\n\r\n", List.of(failedHead)),
                Arguments.of("a space before the colon", get + "X-Bad : b\r\n\r\n", List.of(failedHead)),
                Arguments.of("a tab before the colon", get + "X-Bad\t: b\r\n\r\n", List.of(failedHead)),
                Arguments.of("a field line without a colon", get + "NoColon\r\n\r\n", List.of(failedHead)),
                Arguments.of("an empty field name", get + ": value\r\n\r\n", List.of(failedHead)),
                Arguments.of("a bare LF ending the request line", "GET /x HTTP/1.1\nHost: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("bare LFs throughout", "GET /x HTTP/1.1\nHost: a\n\n", List.of(failedHead)),
                Arguments.of("a bare LF ending a field", get + "X-A: b\n\r\n", List.of(failedHead)),
                Arguments.of("a bare LF as a leading empty line", "\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("a method with a non-token character", "G(T /x HTTP/1.1\r\nHost: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("no method", " /x HTTP/1.1\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("two spaces after the method", "GET  /x HTTP/1.1\r\nHost: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("no version", "GET /x\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("a space after the version", "GET /x HTTP/1.1 \r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("a control character in the target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n",
                        List.of(failedHead)),
                Arguments.of("two Host fields", "GET /x HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", List.of(failedHead)),
                Arguments.of("HTTP/2.0", "GET /x HTTP/2.0\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("HTTP/1.2", "GET /x HTTP/1.2\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("HTTP/1.10", "GET /x HTTP/1.10\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("lower-case http/1.1", "GET /x http/1.1\r\nHost: a\r\n\r\n", List.of(failedHead)),
                Arguments.of("HTTP/0.9 style", "GET /x\r\n\r\n", List.of(failedHead)),
                Arguments.of("a request line too long",
                        "GET /" + "a".repeat(MAX_LINE) + " HTTP/1.1\r\nHost: a\r\n\r\n",
                        List.of("failed-head TooLongHttpLineException")),
                Arguments.of("a request line too long before its end has arrived",
                        "GET /" + "a".repeat(MAX_LINE * 2), List.of("failed-head TooLongHttpLineException")),
                Arguments.of("a field too large",
                        get + "X-Big: " + "b".repeat(MAX_HEADER) + "\r\n\r\n",
                        List.of("failed-head TooLongHttpHeaderException")),
                Arguments.of("many fields too large together",
                        get + "X-Field: 0123456789012345678901234567890123456789\r\n".repeat(8) + "\r\n",
                        List.of("failed-head TooLongHttpHeaderException")),
                Arguments.of("fields too large before their end has arrived",
                        get + "X-Big: " + "b".repeat(MAX_HEADER * 2), List.of("failed-head TooLongHttpHeaderException")),
                Arguments.of("a chunk size that is not hex", chunked + "zz\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a chunk size line with no digits", chunked + ";ext\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a chunk size with a sign", chunked + "+2\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a space after the chunk size", chunked + "2 x\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a chunk size of nine hex digits", chunked + "100000000\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a chunk size line ended by a bare LF", chunked + "2\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("an empty chunk size line", chunked + "\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a control character in a chunk extension", chunked + "2;a\u0001b\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a chunk size line too long", chunked + "2;" + "e".repeat(2000) + "\r\nab\r\n0\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("chunk data longer than its size", chunked + "2\r\nabc\r\n0\r\n\r\n",
                        List.of("head POST /x", "content ab", "failed-last")),
                Arguments.of("chunk data followed by a bare LF", chunked + "2\r\nab\n0\r\n\r\n",
                        List.of("head POST /x", "content ab", "failed-last")),
                Arguments.of("an obs-folded trailer field", chunked + "0\r\nX-T: a\r\n b\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a trailer field with a space before the colon", chunked + "0\r\nX-T : a\r\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a trailer line ended by a bare LF", chunked + "0\r\nX-T: a\n\r\n",
                        List.of("head POST /x", "failed-last")),
                Arguments.of("a control character in a trailer value", chunked + "0\r\nX-T: a\u0001\r\n\r\n",
                        List.of("head POST /x", "failed-last")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aRequestBreakingARuleIsAFailedMessageAndEverythingAfterItIsDropped(String name, String request,
            List<String> expected) {
        EmbeddedChannel ch = channel();
        send(ch, request + NEXT_REQUEST);

        assertThat(drain(ch).messages()).as(name).containsExactlyElementsOf(expected);

        send(ch, NEXT_REQUEST);
        send(ch, NEXT_REQUEST + "POST /y HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nz");
        assertThat(drain(ch).messages()).as("after the failure").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aRequestBreakingARuleFailsTheSameWhenItArrivesByteByByte(String name, String request,
            List<String> expected) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch, request, 1);

        List<String> messages = received.messages();
        assertThat(messages).as(name).isNotEmpty();
        assertThat(messages.get(messages.size() - 1)).as(name).isEqualTo(expected.get(expected.size() - 1));
        assertThat(messages.get(0)).as(name).isEqualTo(expected.get(0));
        assertThat(received.body()).as(name).isEqualTo(new Received(expected, List.of()).body());
        send(ch, NEXT_REQUEST);
        assertThat(drain(ch).messages()).as("after the failure").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFailedHeadDescribesTheBrokenRule() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        ch.read();

        RequestHead head = ch.readInbound();

        assertThat(head.decoderResult().isFailure()).isTrue();
        assertThat(head.decoderResult().cause()).hasMessageContaining("Content-Length with Transfer-Encoding");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "a request line of {0} bytes")
    @ValueSource(ints = {MAX_LINE - 1, MAX_LINE - 10, 14})
    void aRequestLineShorterThanTheLimitIsAccepted(int length) {
        String prefix = "GET /";
        String suffix = " HTTP/1.1";
        String line = prefix + "a".repeat(length - prefix.length() - suffix.length()) + suffix;
        assertThat(line).hasSize(length);

        RequestHead head = onlyHead(line + "\r\nHost: a\r\n\r\n");

        assertThat(head.uri()).hasSize(length - prefix.length() - suffix.length() + 1);
    }

    @Test
    void fieldsJustUnderTheLimitAreAccepted() {
        String host = "Host: a\r\n";
        String big = "X-Big: " + "b".repeat(MAX_HEADER - host.length() - "X-Big: \r\n".length() - 4) + "\r\n";

        RequestHead head = onlyHead("GET / HTTP/1.1\r\n" + host + big + "\r\n");

        assertThat(head.fields().get("x-big")).startsWith("bbb");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a UTF-8 value|X-Name: caf\u00c3\u00a9|caf\u00c3\u00a9",
            "a Latin-1 value|X-Name: caf\u00e9|caf\u00e9",
            "a quoted filename|Content-Disposition: attachment; filename=\"\u00ff.txt\"|attachment; filename=\"\u00ff.txt\"",
    })
    void aFieldValueWithObsTextBytesIsAccepted(String name, String field, String value) {
        RequestHead head = onlyHead("GET / HTTP/1.1\r\nHost: a\r\n" + field + "\r\n\r\n");

        assertThat(head.fields().getAll(field.substring(0, field.indexOf(':')))).containsExactly(value);
    }

    @Test
    void aTrailerValueWithObsTextBytesIsDroppedLikeAnyTrailer() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nab\r\n0\r\nX-Name: caf\u00c3\u00a9\r\n\r\n");

        assertThat(drain(ch).messages()).containsExactly("head POST /up", "content ab", "last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aChunkExtensionWithObsTextBytesIsIgnoredLikeAnyExtension() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2;name=\"caf\u00c3\u00a9\"\r\nab\r\n0\r\n\r\n");

        assertThat(drain(ch).messages()).containsExactly("head POST /up", "content ab", "last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2 ;ext=1", "2\t;ext", "2  ;  ext = 1"})
    void whitespaceBeforeAChunkExtensionIsAccepted(String sizeLine) {
        EmbeddedChannel ch = channel();
        send(ch, "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + sizeLine + "\r\nab\r\n0\r\n\r\n");

        assertThat(drain(ch).messages()).containsExactly("head POST /up", "content ab", "last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesArrivingAfterAFailureAreReleasedUnread() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /x HTTP/1.1\r\nHost: a\r\nX-Bad : b\r\n\r\n");
        assertThat(drain(ch).messages()).containsExactly("failed-head DecoderException");
        ByteBuf late = Unpooled.copiedBuffer(NEXT_REQUEST, StandardCharsets.US_ASCII);

        ch.writeInbound(late);

        assertThat(late.refCnt()).isZero();
        assertThat(drain(ch).messages()).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
