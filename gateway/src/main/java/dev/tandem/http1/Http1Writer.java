package dev.tandem.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes heads and chunk framing as bytes, for channels that carry no Netty HTTP encoder: the proxy writes
 * {@code ByteBuf}s to both sides.
 */
public final class Http1Writer {
    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
    private static final byte[] COLON_SPACE = {':', ' '};
    private static final int CRLF_SHORT = ('\r' << 8) | '\n';
    private static final ByteBuf CRLF = constant("\r\n");
    private static final ByteBuf LAST_CHUNK = constant("0\r\n\r\n");
    private static final ByteBuf CONTINUE = constant("HTTP/1.1 100 Continue\r\n\r\n");

    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString PROXY_AUTHENTICATE = AsciiString.cached("proxy-authenticate");
    private static final AsciiString PROXY_AUTHORIZATION = AsciiString.cached("proxy-authorization");
    private static final AsciiString TE = AsciiString.cached("te");
    private static final AsciiString TRAILER = AsciiString.cached("trailer");
    private static final AsciiString UPGRADE = AsciiString.cached("upgrade");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString EXPECT = AsciiString.cached("expect");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final AsciiString ONE = AsciiString.cached("1");

    private Http1Writer() {
    }

    private static ByteBuf constant(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(text.length())
                .writeBytes(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).asReadOnly();
    }

    /** {@code 100 Continue}, a shared constant: write it as is. */
    public static ByteBuf continueResponse() {
        return CONTINUE.duplicate();
    }

    /** The CRLF that ends a chunk's data. */
    public static ByteBuf chunkEnd() {
        return CRLF.duplicate();
    }

    /** The last chunk and the end of the chunked body (no trailer fields). */
    public static ByteBuf lastChunk() {
        return LAST_CHUNK.duplicate();
    }

    /** A chunk's size line, to be followed by that many data bytes and {@link #chunkEnd()}. */
    public static ByteBuf chunkHeader(ByteBufAllocator alloc, int size) {
        ByteBuf out = alloc.buffer(10);
        ByteBufUtil.writeAscii(out, Integer.toHexString(size));
        out.writeShort(CRLF_SHORT);
        return out;
    }

    /** One of Tandem's own complete responses (errors), head and body in one buffer. Releases {@code response}. */
    public static ByteBuf response(ByteBufAllocator alloc, FullHttpResponse response) {
        try {
            ByteBuf body = response.content();
            ByteBuf out = alloc.buffer(256 + body.readableBytes());
            out.writeBytes(HTTP_1_1);
            out.writeByte(' ');
            HttpResponseStatus status = response.status();
            ByteBufUtil.writeAscii(out, status.codeAsText());
            out.writeByte(' ');
            ByteBufUtil.writeAscii(out, status.reasonPhrase());
            out.writeShort(CRLF_SHORT);
            Iterator<Map.Entry<CharSequence, CharSequence>> fields = response.headers().iteratorCharSequence();
            while (fields.hasNext()) {
                Map.Entry<CharSequence, CharSequence> field = fields.next();
                writeField(out, field.getKey(), field.getValue());
            }
            out.writeShort(CRLF_SHORT);
            out.writeBytes(body, body.readerIndex(), body.readableBytes());
            return out;
        } finally {
            response.release();
        }
    }

    /**
     * What Tandem changes in a backend's response head on its way to the client.
     *
     * @param chunked          the client gets a chunked body (the backend's was chunked, or ended by closing)
     * @param connection       a {@code Connection} value to send ({@code close}, {@code keep-alive}) or null
     * @param upgrade          a 101 for a WebSocket: {@code Upgrade} and {@code Connection: upgrade} stay
     * @param backendHeader    a field naming the backend, lower-case, or null
     * @param requestIdHeader  the request id field, lower-case: added unless the backend sent one
     */
    public record ResponseEdits(boolean chunked, @Nullable AsciiString connection, boolean upgrade,
            @Nullable AsciiString backendHeader, @Nullable String backend, AsciiString requestIdHeader,
            String requestId) {
    }

    /**
     * The head the client gets: the backend's status line as HTTP/1.1, its fields minus the hop-by-hop ones (RFC 9110
     * section 7.6.1) and minus framing Tandem redoes, then Tandem's own fields. The backend's bytes are copied
     * line by line, never re-encoded.
     */
    public static ByteBuf responseHead(ByteBufAllocator alloc, ResponseHead head, ResponseEdits edits) {
        return responseHead(alloc, head, edits, 0);
    }

    /** The same, with {@code bodyRoom} bytes to spare after the head, for a small body to follow in one write. */
    public static ByteBuf responseHead(ByteBufAllocator alloc, ResponseHead head, ResponseEdits edits, int bodyRoom) {
        HeadFields fields = head.fields();
        byte[] bytes = fields.bytes();
        ByteBuf out = alloc.buffer(bytes.length + 128 + bodyRoom);
        out.writeBytes(HTTP_1_1);
        out.writeByte(' ');
        int code = head.code();
        out.writeByte('0' + code / 100).writeByte('0' + code / 10 % 10).writeByte('0' + code % 10);
        out.writeByte(' ');
        out.writeBytes(bytes, head.reasonStart(), head.reasonEnd() - head.reasonStart());
        out.writeShort(CRLF_SHORT);
        boolean hasConnection = fields.indexOf(CONNECTION) >= 0;
        boolean hasRequestId = false;
        boolean dropContentLength = edits.chunked() || head.isChunked();
        for (int i = 0; i < fields.size(); i++) {
            if (dropFromResponse(fields, i, edits, hasConnection, dropContentLength)) {
                continue;
            }
            if (fields.nameIs(i, edits.requestIdHeader())) {
                hasRequestId = true;
            }
            int start = fields.nameStart(i);
            out.writeBytes(bytes, start, fields.lineEnd(i) - start);
        }
        if (edits.chunked()) {
            writeField(out, TRANSFER_ENCODING, "chunked");
        }
        if (edits.upgrade()) {
            writeField(out, CONNECTION, UPGRADE);
        } else if (edits.connection() != null) {
            writeField(out, CONNECTION, edits.connection());
        }
        if (edits.backendHeader() != null && edits.backend() != null) {
            writeField(out, edits.backendHeader(), edits.backend());
        }
        if (!hasRequestId) {
            writeField(out, edits.requestIdHeader(), edits.requestId());
        }
        out.writeShort(CRLF_SHORT);
        return out;
    }

    private static boolean dropFromResponse(HeadFields fields, int i, ResponseEdits edits, boolean hasConnection,
            boolean dropContentLength) {
        if (fields.nameIs(i, CONNECTION) || fields.nameIs(i, KEEP_ALIVE) || fields.nameIs(i, PROXY_CONNECTION)
                || fields.nameIs(i, PROXY_AUTHENTICATE) || fields.nameIs(i, PROXY_AUTHORIZATION)
                || fields.nameIs(i, TRAILER) || fields.nameIs(i, TRANSFER_ENCODING)) {
            return true;
        }
        if (fields.nameIs(i, UPGRADE)) {
            return !edits.upgrade();
        }
        if (fields.nameIs(i, TE)) {
            return !fields.equalsIgnoreCase(fields.valueStart(i), fields.valueEnd(i), TRAILERS);
        }
        if (fields.nameIs(i, CONTENT_LENGTH)) {
            return dropContentLength; // chunked framing overrides it, and a message never carries both
        }
        if (edits.backendHeader() != null && fields.nameIs(i, edits.backendHeader())) {
            return true;
        }
        return hasConnection && fields.namedByConnection(i, CONNECTION)
                && !fields.nameIs(i, HOST);
    }

    /**
     * What Tandem changes in a client's request head on its way to a backend.
     *
     * @param host             the Host to send (the backend's authority, or the client's when preserved); null
     *                         only for a shadow of a request that came without one
     * @param clientAddress    appended to X-Forwarded-For, or null when unknown
     * @param forwardedHost    the client's Host, sent as X-Forwarded-Host, or null
     * @param requestIdHeader  the request id field, lower-case; the client's copies are replaced
     * @param upgrade          a WebSocket handshake: {@code Upgrade} and {@code Connection: upgrade} stay
     * @param overrideHeader   the backend override field, lower-case, or null: never forwarded
     * @param shadowHeader     the shadow marker, lower-case: only the gateway sets it, never a client
     * @param dropExpect       Tandem answered {@code Expect: 100-continue} itself
     */
    public record RequestEdits(@Nullable String host, @Nullable String clientAddress, @Nullable String forwardedHost,
            AsciiString requestIdHeader, String requestId, boolean upgrade, @Nullable AsciiString overrideHeader,
            AsciiString shadowHeader, boolean dropExpect) {
    }

    /**
     * The head a backend gets: the request line with {@code uri} as HTTP/1.1, the client's fields minus the
     * hop-by-hop ones and the ones Tandem sets, copied as they arrived, then Host, the X-Forwarded fields and the
     * request id. Framing fields (Content-Length, Transfer-Encoding) pass unchanged.
     */
    public static ByteBuf upstreamRequestHead(ByteBufAllocator alloc, RequestHead head, CharSequence uri,
            RequestEdits edits) {
        return requestHead(alloc, head, uri, edits, -1);
    }

    /**
     * The head a shadow request gets: the backend's head as {@link #upstreamRequestHead} writes it, but framed for
     * the body the mirror buffered ({@code bodyLength} bytes, sent with a Content-Length however the client framed
     * it) and marked with {@link RequestEdits#shadowHeader()}{@code : 1}.
     */
    public static ByteBuf shadowRequestHead(ByteBufAllocator alloc, RequestHead head, CharSequence uri,
            RequestEdits edits, int bodyLength) {
        return requestHead(alloc, head, uri, edits, Math.max(0, bodyLength));
    }

    /** {@code shadowBodyLength} is negative for the proxied request, the shadow's body length otherwise. */
    private static ByteBuf requestHead(ByteBufAllocator alloc, RequestHead head, CharSequence uri,
            RequestEdits edits, int shadowBodyLength) {
        boolean shadow = shadowBodyLength >= 0;
        HeadFields fields = head.fields();
        byte[] bytes = fields.bytes();
        ByteBuf out = alloc.buffer(bytes.length + uri.length() + 160);
        writeRequestLine(out, head.method(), uri);
        boolean hasConnection = fields.indexOf(CONNECTION) >= 0;
        String forwardedFor = null;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.nameIs(i, X_FORWARDED_FOR)) {
                if (fields.valueEnd(i) > fields.valueStart(i)) {
                    forwardedFor = forwardedFor == null ? fields.value(i) : forwardedFor + ", " + fields.value(i);
                }
                continue;
            }
            if (dropFromRequest(fields, i, edits, hasConnection, shadow)) {
                continue;
            }
            int start = fields.nameStart(i);
            out.writeBytes(bytes, start, fields.lineEnd(i) - start);
        }
        if (edits.host() != null) {
            writeField(out, HOST, edits.host());
        }
        if (edits.clientAddress() != null) {
            writeField(out, X_FORWARDED_FOR, forwardedFor == null
                    ? edits.clientAddress() : forwardedFor + ", " + edits.clientAddress());
        } else if (forwardedFor != null) {
            writeField(out, X_FORWARDED_FOR, forwardedFor);
        }
        writeField(out, X_FORWARDED_PROTO, HTTP);
        if (edits.forwardedHost() != null) {
            writeField(out, X_FORWARDED_HOST, edits.forwardedHost());
        }
        writeField(out, edits.requestIdHeader(), edits.requestId());
        if (edits.upgrade()) {
            writeField(out, CONNECTION, UPGRADE);
        }
        if (shadow) {
            if (shadowBodyLength > 0) {
                writeField(out, CONTENT_LENGTH, Integer.toString(shadowBodyLength));
            }
            writeField(out, edits.shadowHeader(), ONE);
        }
        out.writeShort(CRLF_SHORT);
        return out;
    }

    private static boolean dropFromRequest(HeadFields fields, int i, RequestEdits edits, boolean hasConnection,
            boolean shadow) {
        if (fields.nameIs(i, CONTENT_LENGTH) || fields.nameIs(i, TRANSFER_ENCODING)) {
            return shadow; // framing: the body goes on framed as it came, a shadow's as it was buffered
        }
        if (fields.nameIs(i, CONNECTION) || fields.nameIs(i, KEEP_ALIVE) || fields.nameIs(i, PROXY_CONNECTION)
                || fields.nameIs(i, PROXY_AUTHENTICATE) || fields.nameIs(i, PROXY_AUTHORIZATION)
                || fields.nameIs(i, TRAILER) || fields.nameIs(i, HOST) || fields.nameIs(i, X_FORWARDED_PROTO)
                || fields.nameIs(i, X_FORWARDED_HOST) || fields.nameIs(i, edits.requestIdHeader())
                || fields.nameIs(i, edits.shadowHeader())) {
            return true;
        }
        if (fields.nameIs(i, UPGRADE)) {
            return !edits.upgrade();
        }
        if (fields.nameIs(i, TE)) {
            return !fields.equalsIgnoreCase(fields.valueStart(i), fields.valueEnd(i), TRAILERS);
        }
        if (edits.dropExpect() && fields.nameIs(i, EXPECT)) {
            return true;
        }
        if (edits.overrideHeader() != null && fields.nameIs(i, edits.overrideHeader())) {
            return true;
        }
        return hasConnection && fields.namedByConnection(i, CONNECTION);
    }

    private static void writeRequestLine(ByteBuf out, HttpMethod method, CharSequence uri) {
        ByteBufUtil.writeAscii(out, method.asciiName());
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, uri);
        out.writeByte(' ');
        out.writeBytes(HTTP_1_1);
        out.writeShort(CRLF_SHORT);
    }

    private static void writeField(ByteBuf out, CharSequence name, CharSequence value) {
        ByteBufUtil.writeAscii(out, name);
        out.writeBytes(COLON_SPACE);
        ByteBufUtil.writeAscii(out, value);
        out.writeShort(CRLF_SHORT);
    }
}
