package dev.tandem.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a client's requests into a {@link RequestHead}, then, if it has a body, {@code HttpContent}s ending with a
 * {@code LastHttpContent} (de-chunked; trailer fields read and dropped). A bodiless request is the head alone.
 *
 * <p><b>One message per {@code read()}.</b> The decoder is also the connection's flow control: a {@code read()} from
 * the handler after it is answered from the bytes already here when they hold a whole message (a body part is all the
 * body bytes here), and only otherwise goes to the socket. So the next request is not even decoded before the
 * exchange asks for it, and a body is read no faster than the backend takes it.
 *
 * <p><b>Strict parsing</b> (RFC 9112), because a proxy that reads a request differently from its backend invites
 * smuggling: CRLF line endings only, no whitespace before a colon, no obs-fold, no control characters, a token for
 * the method, no Transfer-Encoding on HTTP/1.0, {@code chunked} as the only transfer coding, never Content-Length
 * with Transfer-Encoding, one Content-Length, one Host. A request that breaks a rule is passed on as a head with a
 * failed {@code decoderResult()} (a too-long request line as {@link TooLongHttpLineException}, too-long fields as
 * {@link TooLongHttpHeaderException}), and a broken chunk as a failed {@code LastHttpContent}; after that the decoder
 * drops everything the connection sends, since the framing is lost. The handler answers and closes.
 */
public final class RequestDecoder extends ChannelDuplexHandler {
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString EXPECT = AsciiString.cached("expect");
    private static final AsciiString UPGRADE = AsciiString.cached("upgrade");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString CONTINUE = AsciiString.cached("100-continue");
    private static final AsciiString WEBSOCKET = AsciiString.cached("websocket");
    private static final AsciiString UPGRADE_TOKEN = AsciiString.cached("upgrade");
    private static final int MAX_CHUNK_LINE = 1024;
    private static final int PREFETCH_BYTES = 16 * 1024;
    /**
     * A body part is at most this big. Larger parts mean fewer, larger sends upstream, which measured slower, not
     * faster: 1 MiB uploads took 15% more CPU with 64 KiB parts than with 16 KiB ones (the kernel's loopback send
     * path and the receiver's wake-ups; bench/results/IMPROVEMENTS.md).
     */
    private static final int MAX_BODY_PART = 16 * 1024;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, BROKEN }

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private @Nullable ByteBuf cumulation;
    private State state = State.HEAD;
    private long remaining;
    /** The handler asked for a message and has not had one yet. */
    private boolean wanted;
    private boolean removed;

    public RequestDecoder(int maxInitialLineLength, int maxHeaderSize) {
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        wanted = true;
        if (!deliver(ctx) && !removed) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.BROKEN) {
            in.release();
            return;
        }
        cumulation = HeadParser.cumulate(ctx.alloc(), cumulation, in);
        if (wanted) {
            deliver(ctx);
        }
    }

    /**
     * Between bodies, reads on while less than {@link #PREFETCH_BYTES} wait here, even with no message asked for:
     * the socket stays armed (a read that is not renewed costs two {@code epoll_ctl} calls per request, to disarm
     * and re-arm it), and a client that closes mid-exchange is noticed at once. What waits is bounded by the limit
     * plus one read. A body is read only on demand, each read handed on whole, so it is never copied to merge.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!removed && (wanted || state == State.HEAD && buffered() < PREFETCH_BYTES)) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    private int buffered() {
        ByteBuf buf = cumulation;
        return buf == null ? 0 : buf.readableBytes();
    }

    /** Decodes and passes on one message if the bytes here hold one. */
    private boolean deliver(ChannelHandlerContext ctx) {
        Object message = null;
        ByteBuf buf = cumulation;
        while (message == null && buf != null && buf.isReadable()) {
            switch (state) {
                case HEAD -> message = decodeHead(ctx, buf);
                case FIXED -> {
                    int n = (int) Math.min(Math.min(remaining, buf.readableBytes()), MAX_BODY_PART);
                    ByteBuf slice = buf.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.HEAD;
                        message = new DefaultLastHttpContent(slice, EmptyHttpHeaders.INSTANCE);
                    } else {
                        message = new DefaultHttpContent(slice);
                    }
                }
                case CHUNK_SIZE -> message = decodeChunkSize(buf);
                case CHUNK_DATA -> {
                    int n = (int) Math.min(Math.min(remaining, buf.readableBytes()), MAX_BODY_PART);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                    message = new DefaultHttpContent(buf.readRetainedSlice(n));
                }
                case CHUNK_DATA_END -> {
                    if (buf.readableBytes() < 2) {
                        return false;
                    }
                    if (buf.readByte() != '\r' || buf.readByte() != '\n') {
                        message = brokenBody("chunk data not followed by CRLF");
                    } else {
                        state = State.CHUNK_SIZE;
                        progressed = true;
                    }
                }
                case TRAILERS -> message = decodeTrailerLine(buf);
                case BROKEN -> buf.skipBytes(buf.readableBytes());
            }
            if (message == null && state != State.BROKEN && !progressed) {
                break; // more bytes needed
            }
            progressed = false;
            buf = cumulation;
        }
        ByteBuf left = cumulation;
        if (left != null && !left.isReadable()) {
            cumulation = null;
            left.release(); // passed-on slices keep their own reference
        }
        if (message == null) {
            return false;
        }
        wanted = false;
        ctx.fireChannelRead(message);
        return true;
    }

    /** Set by a step that consumed bytes without producing a message (a chunk size line, a trailer line). */
    private boolean progressed;

    private @Nullable Object decodeHead(ChannelHandlerContext ctx, ByteBuf buf) {
        // RFC 9112 section 2.2: empty lines before a request line are ignored.
        while (buf.readableBytes() >= 2 && buf.getByte(buf.readerIndex()) == '\r'
                && buf.getByte(buf.readerIndex() + 1) == '\n') {
            buf.skipBytes(2);
        }
        // One bulk copy, then plain array reads: cheaper than a bounds- and liveness-checked getByte per byte.
        int readable = Math.min(buf.readableBytes(), maxInitialLineLength + maxHeaderSize + 4);
        byte[] bytes = new byte[readable];
        buf.getBytes(buf.readerIndex(), bytes);
        int lineEnd = -1;
        int headEnd = -1;
        byte previous = 0;
        int lineStart = 0;
        for (int i = 0; i < readable; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (previous != '\r') {
                    return failHead(new DecoderException("bare LF in the request head (RFC 9112 section 2.2)"));
                }
                if (lineEnd < 0) {
                    lineEnd = i;
                } else if (i - lineStart == 1) {
                    headEnd = i;
                    break;
                }
                lineStart = i + 1;
            }
            previous = b;
            if (lineEnd < 0 && i >= maxInitialLineLength) {
                return failHead(new TooLongHttpLineException(
                        "request line longer than " + maxInitialLineLength + " bytes"));
            }
            if (lineEnd >= 0 && i - lineEnd > maxHeaderSize) {
                return failHead(new TooLongHttpHeaderException(
                        "header fields larger than " + maxHeaderSize + " bytes"));
            }
        }
        if (headEnd < 0) {
            if (!buf.isReadable()) {
                progressed = true;
            }
            return null;
        }
        buf.skipBytes(headEnd + 1);
        if (headEnd + 1 < readable) {
            bytes = java.util.Arrays.copyOf(bytes, headEnd + 1); // a body came in the same read
        }
        RequestHead head;
        try {
            head = parse(bytes);
        } catch (DecoderException e) {
            return failHead(e);
        }
        if (head.isChunked()) {
            state = State.CHUNK_SIZE;
        } else if (head.contentLength() > 0) {
            state = State.FIXED;
            remaining = head.contentLength();
        }
        return head;
    }

    private @Nullable Object decodeChunkSize(ByteBuf buf) {
        int from = buf.readerIndex();
        int lf = buf.indexOf(from, Math.min(buf.writerIndex(), from + MAX_CHUNK_LINE), (byte) '\n');
        if (lf < 0) {
            return buf.readableBytes() >= MAX_CHUNK_LINE ? brokenBody("chunk size line too long") : null;
        }
        if (lf == from || buf.getByte(lf - 1) != '\r') {
            return brokenBody("chunk size line not ended by CRLF");
        }
        long size = 0;
        int digits = 0;
        int i = from;
        for (; i < lf - 1; i++) {
            int d = Character.digit(buf.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 8) {
                return brokenBody("chunk size too large");
            }
            size = size << 4 | d;
        }
        int digitsEnd = i;
        while (i < lf - 1 && (buf.getByte(i) == ' ' || buf.getByte(i) == '\t')) {
            i++; // BWS before a chunk extension (RFC 9112 section 7.1.1)
        }
        if (digits == 0 || (i < lf - 1 && buf.getByte(i) != ';') || (i == lf - 1 && i != digitsEnd)) {
            return brokenBody("invalid chunk size");
        }
        for (int k = i; k < lf - 1; k++) {
            byte c = buf.getByte(k);
            if ((c & 0xff) < 0x20 && c != '\t' || c == 0x7f) {
                return brokenBody("control character in a chunk extension");
            }
        }
        buf.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        progressed = true;
        return null;
    }

    private @Nullable Object decodeTrailerLine(ByteBuf buf) {
        int from = buf.readerIndex();
        int lf = buf.indexOf(from, Math.min(buf.writerIndex(), from + maxHeaderSize), (byte) '\n');
        if (lf < 0) {
            return buf.readableBytes() >= maxHeaderSize ? brokenBody("trailer section too large") : null;
        }
        if (lf == from || buf.getByte(lf - 1) != '\r') {
            return brokenBody("trailer line not ended by CRLF");
        }
        if (lf == from + 1) {
            buf.readerIndex(lf + 1);
            state = State.HEAD;
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        byte[] line = new byte[lf + 1 - from + 2];
        buf.getBytes(from, line, 0, lf + 1 - from);
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
        try {
            HeadParser.parseField(line, 0, new HeadFields(line, 1)); // checked as strictly as a header, then dropped
        } catch (DecoderException e) {
            return brokenBody("invalid trailer field: " + e.getMessage());
        }
        buf.readerIndex(lf + 1);
        progressed = true;
        return null;
    }

    private RequestHead failHead(DecoderException cause) {
        breakFraming();
        return RequestHead.invalid(cause);
    }

    private HttpContent brokenBody(String message) {
        breakFraming();
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
        last.setDecoderResult(DecoderResult.failure(new DecoderException(message)));
        return last;
    }

    private void breakFraming() {
        state = State.BROKEN;
        ByteBuf buf = cumulation;
        if (buf != null) {
            buf.skipBytes(buf.readableBytes());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed = true;
        ByteBuf left = cumulation;
        cumulation = null;
        if (left != null) {
            if (left.isReadable() && state == State.HEAD) {
                ctx.fireChannelRead(left); // bytes after an upgrade request belong to the tunnel that replaces us
            } else {
                left.release();
            }
        }
    }

    private void release() {
        ByteBuf buf = cumulation;
        cumulation = null;
        if (buf != null) {
            buf.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parsing a whole head (its bytes end with CRLF CRLF)

    static RequestHead parse(byte[] b) {
        int at = 0;
        while (HeadParser.isTokenChar(b[at])) {
            at++;
        }
        if (at == 0 || b[at] != ' ') {
            throw new DecoderException("invalid method in the request line");
        }
        HttpMethod method = method(b, at);
        int targetStart = ++at;
        while (b[at] > 0x20 && b[at] < 0x7f) {
            at++;
        }
        if (at == targetStart || b[at] != ' ') {
            throw new DecoderException("invalid request target");
        }
        String uri = new String(b, targetStart, at - targetStart, StandardCharsets.ISO_8859_1);
        at++;
        if (at + 10 > b.length || b[at] != 'H' || b[at + 1] != 'T' || b[at + 2] != 'T' || b[at + 3] != 'P'
                || b[at + 4] != '/' || b[at + 5] != '1' || b[at + 6] != '.' || (b[at + 7] != '0' && b[at + 7] != '1')) {
            throw new DecoderException("unsupported HTTP version (expected: HTTP/1.0 or HTTP/1.1)");
        }
        HttpVersion version = b[at + 7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        at = HeadParser.lineEnd(b, at + 8);
        HeadFields fields = new HeadFields(b, b.length / 32) /* about one field per 32 bytes of head */;
        while (!(b[at] == '\r' && b[at + 1] == '\n')) {
            at = HeadParser.parseField(b, at, fields);
        }

        long contentLength = -1;
        boolean chunked = false;
        int hosts = 0;
        boolean expectContinue = false;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.nameIs(i, CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    throw new DecoderException("more than one Content-Length (RFC 9112 section 6.3)");
                }
                contentLength = HeadParser.contentLengthOf(b, fields.valueStart(i), fields.valueEnd(i));
            } else if (fields.nameIs(i, TRANSFER_ENCODING)) {
                if (chunked || !fields.equalsIgnoreCase(fields.valueStart(i), fields.valueEnd(i), CHUNKED)) {
                    throw new DecoderException("Transfer-Encoding other than a single chunked");
                }
                chunked = true;
            } else if (fields.nameIs(i, HOST)) {
                hosts++;
            } else if (fields.nameIs(i, EXPECT)) {
                expectContinue = fields.equalsIgnoreCase(fields.valueStart(i), fields.valueEnd(i), CONTINUE);
            }
        }
        if (chunked && version == HttpVersion.HTTP_1_0) {
            throw new DecoderException("Transfer-Encoding on HTTP/1.0 (RFC 9112 section 6.1)");
        }
        if (chunked && contentLength >= 0) {
            throw new DecoderException("Content-Length with Transfer-Encoding (RFC 9112 section 6.1)");
        }
        if (hosts > 1) {
            throw new DecoderException("more than one Host (RFC 9112 section 3.2)");
        }
        boolean keepAlive = version == HttpVersion.HTTP_1_1
                ? !fields.hasToken(CONNECTION, CLOSE) : fields.hasToken(CONNECTION, KEEP_ALIVE);
        boolean webSocket = HttpMethod.GET.equals(method) && fields.hasToken(UPGRADE, WEBSOCKET)
                && fields.hasToken(CONNECTION, UPGRADE_TOKEN);
        return new RequestHead(method, uri, version, fields, contentLength, chunked, keepAlive,
                expectContinue && version == HttpVersion.HTTP_1_1, webSocket);
    }

    /** The common methods without a string; any other token through Netty's lookup. */
    private static HttpMethod method(byte[] b, int length) {
        if (length == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T') {
            return HttpMethod.GET;
        }
        if (length == 4 && b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T') {
            return HttpMethod.POST;
        }
        return HttpMethod.valueOf(new String(b, 0, length, StandardCharsets.US_ASCII));
    }
}
