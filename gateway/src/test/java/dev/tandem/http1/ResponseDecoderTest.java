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
 * {@link ResponseDecoder} on an {@link EmbeddedChannel}: every framing a response can have (length, chunks, the
 * connection closing, none at all), interim and upgrade responses, the facts a head carries, and the rules a backend
 * must keep (a failed head or a failed last content, then silence).
 */
class ResponseDecoderTest {
    private static final int MAX_HEAD = 512;
    private static final String NEXT_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new ResponseDecoder(MAX_HEAD));
    }

    private static ResponseDecoder decoder(EmbeddedChannel ch) {
        return ch.pipeline().get(ResponseDecoder.class);
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private record Received(List<String> messages, List<ResponseHead> heads) {
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

    /** Everything the decoder passed on so far, described (and released), with the heads kept for their facts. */
    private static Received received(EmbeddedChannel ch) {
        List<String> messages = new ArrayList<>();
        List<ResponseHead> heads = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof ResponseHead head) {
                heads.add(head);
            }
            messages.add(describe(msg));
        }
        return new Received(messages, heads);
    }

    private static String describe(Object msg) {
        try {
            if (msg instanceof ResponseHead head) {
                return head.decoderResult().isSuccess() ? "head " + head.code() : "failed-head";
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

    private static Received feedInPieces(EmbeddedChannel ch, String response, int size) {
        List<String> messages = new ArrayList<>();
        List<ResponseHead> heads = new ArrayList<>();
        for (int at = 0; at < response.length(); at += size) {
            send(ch, response.substring(at, Math.min(response.length(), at + size)));
            Received part = received(ch);
            messages.addAll(part.messages());
            heads.addAll(part.heads());
        }
        return new Received(messages, heads);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bodies

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 40, 10_000})
    void aContentLengthBodyComesWholeHoweverTheBytesAreSplitThenTheNextResponse(int size) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
                        + NEXT_RESPONSE, size);

        List<String> messages = received.messages();
        assertThat(messages.get(0)).isEqualTo("head 200");
        int second = messages.lastIndexOf("head 200");
        assertThat(second).isGreaterThan(1);
        assertThat(messages.get(second - 1)).startsWith("last ");
        assertThat(messages.subList(1, second - 1)).allMatch(m -> m.startsWith("content "));
        assertThat(messages.get(messages.size() - 1)).startsWith("last ");
        assertThat(received.body()).isEqualTo("hello worldnext");
        assertThat(received.heads().get(0).contentLength()).isEqualTo(11);
        assertThat(received.heads().get(0).isChunked()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** A head of exactly {@code length} bytes, padded in an X-Pad field, with a 4-byte body. */
    private static String headOfLength(int length) {
        String start = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-Pad: ";
        String end = "\r\n\r\n";
        return start + "p".repeat(length - start.length() - end.length()) + end;
    }

    /**
     * The decoder looks for a head's end in 512-byte copies of what arrived: heads whose CRLF CRLF ends just before,
     * across and just after such a boundary (and a second one) are found, whole or fed a few bytes at a time.
     */
    @ParameterizedTest(name = "a head of {0} bytes, pieces of {1}")
    @CsvSource({"510, 10000", "511, 10000", "512, 10000", "513, 10000", "514, 10000", "515, 10000", "516, 10000",
            "1023, 10000", "1024, 10000", "1025, 10000", "1026, 10000", "1027, 10000", "513, 3", "1026, 7",
            "1024, 511"})
    void aHeadEndingAtAnyPointOfTheScanWindowsIsFound(int length, int pieces) {
        EmbeddedChannel ch = new EmbeddedChannel(new ResponseDecoder(4096));
        String head = headOfLength(length);
        assertThat(head).hasSize(length);

        Received received = feedInPieces(ch, head + "body" + NEXT_RESPONSE, pieces);

        assertThat(received.messages()).first().isEqualTo("head 200");
        assertThat(received.messages()).filteredOn(m -> m.startsWith("head ")).hasSize(2);
        assertThat(received.body()).isEqualTo("bodynext");
        assertThat(received.heads().get(0).contentLength()).isEqualTo(4);
        assertThat(received.heads().get(0).fields().get("X-Pad")).hasSize(length - head.indexOf("X-Pad: ") - 11);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "a head of {0} bytes against a limit of 512: accepted {1}")
    @CsvSource({"511, true", "512, true", "513, false"})
    void aHeadUpToTheLimitIsTakenAndOneByteMoreIsRefused(int length, boolean accepted) {
        EmbeddedChannel ch = channel();

        send(ch, headOfLength(length) + "body");

        assertThat(received(ch).messages()).first().isEqualTo(accepted ? "head 200" : "failed-head");
        ch.finishAndReleaseAll();
    }

    @Test
    void aContentLengthBodyInThreeReadsIsTwoContentsAndALastContent() {
        EmbeddedChannel ch = channel();

        send(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        send(ch, "defg");
        send(ch, "hij");

        assertThat(received(ch).messages()).containsExactly("head 200", "content abc", "content defg", "last hij");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static final String CHUNKED_RESPONSE = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 \r\n world\r\n0\r\nX-Trailer: t\r\nX-Checksum: abc\r\n\r\n";

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 40, 10_000})
    void aChunkedBodyIsDechunkedAndItsTrailersDropped(int size) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch, CHUNKED_RESPONSE + NEXT_RESPONSE, size);

        List<String> messages = received.messages();
        assertThat(messages.get(0)).isEqualTo("head 200");
        int second = messages.lastIndexOf("head 200");
        assertThat(messages.get(second - 1)).isEqualTo("last "); // no trailer passed on
        assertThat(messages.subList(1, second - 1)).allMatch(m -> m.startsWith("content "));
        assertThat(received.body()).isEqualTo("hello worldnext");
        assertThat(received.heads().get(0).isChunked()).isTrue();
        assertThat(received.heads().get(0).contentLength()).isEqualTo(-1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void eachChunkIsAContentAndTheLastContentHasNoTrailingHeaders() {
        EmbeddedChannel ch = channel();
        send(ch, CHUNKED_RESPONSE);

        assertThat(describe(ch.readInbound())).isEqualTo("head 200");
        assertThat(describe(ch.readInbound())).isEqualTo("content hello");
        assertThat(describe(ch.readInbound())).isEqualTo("content  world");
        LastHttpContent last = ch.readInbound();
        assertThat(last.trailingHeaders().isEmpty()).isTrue();
        assertThat(last.content().readableBytes()).isZero();
        last.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCloseDelimitedBodyEndsWithAnEmptyLastContentWhenTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        send(ch, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc");
        send(ch, "def");
        Received before = received(ch);
        assertThat(before.messages()).containsExactly("head 200", "content abc", "content def");
        assertThat(before.heads().get(0).contentLength()).isEqualTo(-1);
        assertThat(before.heads().get(0).isChunked()).isFalse();

        ch.close();

        assertThat(received(ch).messages()).containsExactly("last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCloseDelimitedBodyWithNoBytesStillEndsOnFinish() {
        EmbeddedChannel ch = channel();
        send(ch, "HTTP/1.0 200 OK\r\n\r\n");
        assertThat(received(ch).messages()).containsExactly("head 200");

        assertThat(ch.finish()).isTrue();

        assertThat(received(ch).messages()).containsExactly("last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClosedConnectionAfterACompleteResponsePassesNothingMore() {
        EmbeddedChannel ch = channel();
        send(ch, NEXT_RESPONSE);
        assertThat(received(ch).messages()).containsExactly("head 200", "last next");

        ch.close();

        assertThat(received(ch).messages()).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n",
            "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n",
            "HTTP/1.1 200 OK\\r\\n\\r\\n",
            "HTTP/1.1 404 Not Found\\r\\nContent-Length: 9\\r\\n\\r\\n",
    })
    void aResponseToHeadHasNoBodyWhateverItsFieldsSay(String response) {
        EmbeddedChannel ch = channel();
        decoder(ch).expectResponseTo(HttpMethod.HEAD);
        send(ch, unescape(response));

        List<Object> raw = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            raw.add(msg);
            ReferenceCountUtil.release(msg);
        }
        assertThat(raw).hasSize(2);
        assertThat(raw.get(0)).isInstanceOf(ResponseHead.class);
        assertThat(raw.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);

        decoder(ch).expectResponseTo(HttpMethod.GET);
        send(ch, NEXT_RESPONSE);
        assertThat(received(ch).messages()).containsExactly("head 200", "last next");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/1.1 204 No Content\\r\\n\\r\\n|204",
            "HTTP/1.1 204 No Content\\r\\nContent-Length: 10\\r\\n\\r\\n|204",
            "HTTP/1.1 304 Not Modified\\r\\nContent-Length: 1234\\r\\nETag: \"x\"\\r\\n\\r\\n|304",
            "HTTP/1.1 304 Not Modified\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|304",
            "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n|200",
            "HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n|200",
    })
    void aBodilessResponseIsItsHeadAndAnEmptyLastContent(String response, int code) {
        EmbeddedChannel ch = channel();

        send(ch, unescape(response) + NEXT_RESPONSE);

        assertThat(received(ch).messages()).containsExactly("head " + code, "last ", "head 200", "last next");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anInterimResponseIsAHeadAndAnEmptyLastThenTheFinalResponseFollows() {
        EmbeddedChannel ch = channel();

        send(ch, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");

        Received received = received(ch);
        assertThat(received.messages())
                .containsExactly("head 100", "last ", "head 103", "last ", "head 201", "last ok");
        assertThat(received.heads().get(1).fields().get("link")).isEqualTo("</a.css>; rel=preload");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anInterimResponseSplitFromTheFinalOneAcrossReadsIsDecodedTheSame() {
        EmbeddedChannel ch = channel();

        send(ch, "HTTP/1.1 100 Continue\r\n\r");
        send(ch, "\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        send(ch, "ok");

        assertThat(received(ch).messages()).containsExactly("head 100", "last ", "head 200", "last ok");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 101 Switching Protocols

    private static final String SWITCHING =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    @Test
    void a101IsTheHeadAloneAndTheBytesAfterItAreHandedOnWhenTheDecoderIsRemoved() {
        EmbeddedChannel ch = channel();
        send(ch, SWITCHING + "\u0081\u0005hello");
        send(ch, "\u0081\u0003bye"); // still before the tunnel takes over

        assertThat(received(ch).messages()).containsExactly("head 101");

        ch.pipeline().remove(ResponseDecoder.class);

        assertThat(received(ch).messages()).containsExactly("bytes \u0081\u0005hello\u0081\u0003bye");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void a101WithNothingAfterItHandsNothingOnWhenTheDecoderIsRemoved() {
        EmbeddedChannel ch = channel();
        send(ch, SWITCHING);
        assertThat(received(ch).messages()).containsExactly("head 101");

        ch.pipeline().remove(ResponseDecoder.class);
        send(ch, "raw");

        assertThat(received(ch).messages()).containsExactly("bytes raw");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removingTheDecoderWhileIts101IsHandledPassesTheTunnelBytesOnAfterTheHead() {
        EmbeddedChannel ch = channel();
        List<String> seen = new ArrayList<>();
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(describe(msg));
                if (msg instanceof ResponseHead head && head.code() == 101) {
                    ctx.pipeline().remove(ResponseDecoder.class);
                }
            }
        });

        send(ch, SWITCHING + "frame-bytes");

        assertThat(seen).containsExactly("head 101", "bytes frame-bytes");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bytesAfterA101AreNotDecodedAsAResponse() {
        EmbeddedChannel ch = channel();

        send(ch, SWITCHING + NEXT_RESPONSE);

        assertThat(received(ch).messages()).containsExactly("head 101");
        assertThat(ch.finishAndReleaseAll()).isFalse(); // the held bytes are released with the channel
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Facts of a head

    @ParameterizedTest(name = "{0} [{1}] keep-alive={2}")
    @CsvSource(delimiter = '|', value = {
            "HTTP/1.1||true",
            "HTTP/1.1|Connection: close|false",
            "HTTP/1.1|Connection: Close|false",
            "HTTP/1.1|Connection: keep-alive, close|false",
            "HTTP/1.1|Connection: keep-alive|true",
            "HTTP/1.0||false",
            "HTTP/1.0|Connection: keep-alive|true",
            "HTTP/1.0|Connection: Keep-Alive|true",
            "HTTP/1.0|Connection: close|false",
    })
    void keepAliveFollowsTheVersionAndTheConnectionTokens(String version, String connection, boolean keepAlive) {
        EmbeddedChannel ch = channel();

        send(ch, version + " 200 OK\r\nContent-Length: 0\r\n" + (connection == null ? "" : connection + "\r\n")
                + "\r\n");

        Received received = received(ch);
        assertThat(received.messages()).containsExactly("head 200", "last ");
        ResponseHead head = received.heads().get(0);
        assertThat(head.isKeepAlive()).isEqualTo(keepAlive);
        assertThat(head.protocolVersion()).isEqualTo(HttpVersion.valueOf(version));
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "HTTP/1.1 200 OK|200|OK",
            "HTTP/1.1 404 Not Found|404|Not Found",
            "HTTP/1.1 418 I'm a teapot|418|I'm a teapot",
            "HTTP/1.1 599 Custom Reason With Spaces|599|Custom Reason With Spaces",
            "\"HTTP/1.1 200 \"|200|OK",
            "HTTP/1.1 200|200|OK",
            "HTTP/1.1 503|503|Service Unavailable",
    })
    void theStatusLineGivesTheCodeAndReasonPhrase(String statusLine, int code, String reason) {
        ResponseHead head = ResponseDecoder.parse((statusLine + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));

        assertThat(head.code()).isEqualTo(code);
        assertThat(head.status().code()).isEqualTo(code);
        assertThat(head.status().reasonPhrase()).isEqualTo(reason);
    }

    @Test
    void fieldsAreLookedUpIgnoringCaseWithEveryRepeatInOrder() {
        EmbeddedChannel ch = channel();
        send(ch, "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nContent-Length: 0\r\nset-cookie:  b=2 \r\n\r\n");

        ResponseHead head = received(ch).heads().get(0);

        assertThat(head.fields().size()).isEqualTo(3);
        assertThat(head.fields().get("SET-COOKIE")).isEqualTo("a=1");
        assertThat(head.fields().getAll("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(head.headers().getAll("set-cookie")).containsExactly("a=1", "b=2");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void transferEncodingOverridesContentLength() {
        EmbeddedChannel ch = channel();

        send(ch, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + NEXT_RESPONSE);

        Received received = received(ch);
        assertThat(received.messages())
                .containsExactly("head 200", "content abc", "last ", "head 200", "last next");
        assertThat(received.heads().get(0).isChunked()).isTrue();
        assertThat(received.heads().get(0).contentLength()).isEqualTo(-1);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void twoEqualContentLengthsAreOneLength() {
        EmbeddedChannel ch = channel();

        send(ch, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");

        Received received = received(ch);
        assertThat(received.messages()).containsExactly("head 200", "last abc");
        assertThat(received.heads().get(0).contentLength()).isEqualTo(3);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rejections

    static Stream<Arguments> rejected() {
        String ok = "HTTP/1.1 200 OK\r\n";
        String chunked = ok + "Transfer-Encoding: chunked\r\n\r\n";
        List<String> failedHead = List.of("failed-head");
        List<String> failedChunk = List.of("head 200", "failed-last");
        return Stream.of(
                Arguments.of("HTTP/2 status line", "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("HTTP/1.2 status line", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("lower-case version", "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("not HTTP at all", "ICY 200 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("no space after the version", "HTTP/1.1200 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("a two-digit status code", "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("a four-digit status code", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("a status code with a letter", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("a status code under 100", "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("a control character in the reason", "HTTP/1.1 200 O\u0001K\r\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("a bare LF ending the status line", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("a bare LF ending a field", ok + "X-A: b\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("obs-fold", ok + "X-Folded: one\r\n two\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("whitespace before the first field", ok + " X-A: b\r\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("obs-fold with a tab", ok + "X-Folded: one\r\n\ttwo\r\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("a space before the colon", ok + "Content-Length : 0\r\n\r\n", failedHead),
                Arguments.of("a control character in a value", ok + "X-Bad: a\u0001b\r\nContent-Length: 0\r\n\r\n",
                        failedHead),
                Arguments.of("a DEL in a value", ok + "X-Bad: a\u007fb\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("a field without a colon", ok + "NoColon\r\nContent-Length: 0\r\n\r\n", failedHead),
                Arguments.of("conflicting Content-Lengths", ok + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
                        failedHead),
                Arguments.of("a Content-Length list", ok + "Content-Length: 3, 3\r\n\r\nabc", failedHead),
                Arguments.of("an invalid Content-Length", ok + "Content-Length: 3a\r\n\r\nabc", failedHead),
                Arguments.of("a negative Content-Length", ok + "Content-Length: -3\r\n\r\nabc", failedHead),
                Arguments.of("Transfer-Encoding gzip", ok + "Transfer-Encoding: gzip\r\n\r\nabc", failedHead),
                Arguments.of("Transfer-Encoding gzip, chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        failedHead),
                Arguments.of("Transfer-Encoding chunked, gzip", ok + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
                        failedHead),
                Arguments.of("Transfer-Encoding identity", ok + "Transfer-Encoding: identity\r\n\r\nabc", failedHead),
                Arguments.of("a head larger than the limit", ok + "X-Big: " + "b".repeat(MAX_HEAD) + "\r\n\r\n",
                        failedHead),
                Arguments.of("a head larger than the limit before its end has arrived",
                        ok + "X-Big: " + "b".repeat(MAX_HEAD * 2), failedHead),
                Arguments.of("a chunk size that is not hex", chunked + "zz\r\nab\r\n0\r\n\r\n", failedChunk),
                Arguments.of("a chunk size line with no digits", chunked + ";ext\r\nab\r\n0\r\n\r\n", failedChunk),
                Arguments.of("an empty chunk size line", chunked + "\r\nab\r\n0\r\n\r\n", failedChunk),
                Arguments.of("a chunk size line ended by a bare LF", chunked + "2\nab\r\n0\r\n\r\n", failedChunk),
                Arguments.of("a chunk size of sixteen hex digits", chunked + "1000000000000000\r\nab\r\n0\r\n\r\n",
                        failedChunk),
                Arguments.of("a chunk size line too long", chunked + "2;" + "e".repeat(5000) + "\r\nab\r\n0\r\n\r\n",
                        failedChunk),
                Arguments.of("chunk data longer than its size", chunked + "2\r\nabc\r\n0\r\n\r\n",
                        List.of("head 200", "content ab", "failed-last")),
                Arguments.of("chunk data followed by a bare LF", chunked + "2\r\nab\n0\r\n\r\n",
                        List.of("head 200", "content ab", "failed-last")),
                Arguments.of("a trailer line ended by a bare LF", chunked + "0\r\nX-T: a\n\r\n", failedChunk));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aResponseBreakingARuleIsAFailedMessageAndEverythingAfterItIsDropped(String name, String response,
            List<String> expected) {
        EmbeddedChannel ch = channel();

        send(ch, response + NEXT_RESPONSE);

        assertThat(received(ch).messages()).as(name).containsExactlyElementsOf(expected);
        ByteBuf late = Unpooled.copiedBuffer(NEXT_RESPONSE, StandardCharsets.US_ASCII);
        ch.writeInbound(late);
        assertThat(late.refCnt()).as("released unread").isZero();
        assertThat(received(ch).messages()).as("after the failure").isEmpty();
        ch.close();
        assertThat(received(ch).messages()).as("after the close").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void aResponseBreakingARuleFailsTheSameWhenItArrivesByteByByte(String name, String response,
            List<String> expected) {
        EmbeddedChannel ch = channel();

        Received received = feedInPieces(ch, response, 1);

        List<String> messages = received.messages();
        assertThat(messages).as(name).isNotEmpty();
        assertThat(messages.get(0)).as(name).isEqualTo(expected.get(0));
        assertThat(messages.get(messages.size() - 1)).as(name).isEqualTo(expected.get(expected.size() - 1));
        assertThat(received.body()).as(name).isEqualTo(new Received(expected, List.of()).body());
        send(ch, NEXT_RESPONSE);
        assertThat(received(ch).messages()).as("after the failure").isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "a UTF-8 field value|HTTP/1.1 200 OK\\r\\nContent-Disposition: attachment; filename=\"caf\u00c3\u00a9.txt\"\\r\\n"
                    + "Content-Length: 0\\r\\n\\r\\n",
            "a Latin-1 field value|HTTP/1.1 200 OK\\r\\nX-Name: caf\u00e9\\r\\nContent-Length: 0\\r\\n\\r\\n",
            "a Latin-1 reason phrase|HTTP/1.1 200 Tr\u00e8s bien\\r\\nContent-Length: 0\\r\\n\\r\\n",
    })
    void obsTextBytesInFieldValuesAndTheReasonPhraseAreAccepted(String name, String response) {
        EmbeddedChannel ch = channel();

        send(ch, unescape(response));

        assertThat(received(ch).messages()).as(name).containsExactly("head 200", "last ");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFailedHeadSaysTheResponseCameFromTheBackend() {
        EmbeddedChannel ch = channel();
        send(ch, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");

        ResponseHead head = ch.readInbound();

        assertThat(head.decoderResult().isFailure()).isTrue();
        assertThat(head.decoderResult().cause())
                .hasMessageContaining("invalid response from backend")
                .hasMessageContaining("conflicting Content-Length");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
