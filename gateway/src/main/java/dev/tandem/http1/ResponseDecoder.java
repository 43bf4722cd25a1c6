package dev.tandem.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * Decodes a backend's responses into a {@link ResponseHead}, then the body as {@code HttpContent}s ending with a
 * {@code LastHttpContent} (a bodiless response still gets the empty one). Bodies are de-chunked; trailer fields are
 * read and dropped. Everything a read brings is decoded and passed on at once: the body arrives as slices of the
 * bytes read, with no copy.
 *
 * <p>Parsing is strict (RFC 9112): CRLF line endings, no whitespace before a colon, no obs-fold, no control
 * characters in values, one Content-Length value, and {@code chunked} as the only transfer coding. A head that breaks
 * a rule is passed on with a failed {@code decoderResult()}; a broken chunk, as a failed {@code LastHttpContent}.
 * Either way the decoder then drops everything else the connection sends, since its framing is lost.
 *
 * <p>The decoder must know whether a response answers HEAD (no body, whatever its Content-Length says): the
 * writer of each request calls {@link #expectResponseTo}. One request at a time, as the pools use connections.
 */
public final class ResponseDecoder extends ChannelInboundHandlerAdapter {
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CONNECTION = AsciiString.cached("connection");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int WINDOW = 512;

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, UPGRADED, BROKEN }

    private final int maxHeadSize;
    private @Nullable ByteBuf cumulation;
    private State state = State.HEAD;
    private long remaining;
    private boolean headRequest;
    private boolean removed;
    /** Bytes of a partial head already searched for its end, so a head split over reads is scanned once. */
    private int scanned;
    /**
     * The head's end is searched for in bulk copies of the buffer, read as a plain array: cheaper than a checked
     * {@code getByte} (or a {@code ByteProcessor} call) per byte. Owned by this connection's loop.
     */
    private final byte[] window = new byte[WINDOW];

    public ResponseDecoder(int maxHeadSize) {
        this.maxHeadSize = maxHeadSize;
    }

    /** Announces the request the next response answers; only HEAD changes how it is framed. */
    public void expectResponseTo(HttpMethod method) {
        headRequest = HttpMethod.HEAD.equals(method);
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
        decode(ctx);
    }

    private void decode(ChannelHandlerContext ctx) {
        ByteBuf buf;
        while ((buf = cumulation) != null && buf.isReadable() && !removed) {
            switch (state) {
                case HEAD -> {
                    if (!decodeHead(ctx, buf)) {
                        return;
                    }
                }
                case FIXED -> {
                    int n = (int) Math.min(remaining, buf.readableBytes());
                    ByteBuf slice = buf.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.HEAD;
                        ctx.fireChannelRead(new DefaultLastHttpContent(slice, EmptyHttpHeaders.INSTANCE));
                    } else {
                        ctx.fireChannelRead(new DefaultHttpContent(slice));
                    }
                }
                case CHUNK_SIZE -> {
                    if (!decodeChunkSize(ctx, buf)) {
                        return;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, buf.readableBytes());
                    ByteBuf slice = buf.readRetainedSlice(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                    ctx.fireChannelRead(new DefaultHttpContent(slice));
                }
                case CHUNK_DATA_END -> {
                    if (buf.readableBytes() < 2) {
                        return;
                    }
                    if (buf.readByte() != '\r' || buf.readByte() != '\n') {
                        fail(ctx, "chunk data not followed by CRLF", true);
                        return;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (!skipTrailerLine(ctx, buf)) {
                        return;
                    }
                }
                case UNTIL_CLOSE -> ctx.fireChannelRead(new DefaultHttpContent(buf.readRetainedSlice(buf.readableBytes())));
                case UPGRADED -> {
                    return; // the bytes are the tunnel's: handed over when this decoder is removed
                }
                case BROKEN -> buf.skipBytes(buf.readableBytes());
            }
        }
        ByteBuf left = cumulation;
        if (left != null && !left.isReadable() && state != State.UPGRADED) {
            cumulation = null;
            left.release();
        }
    }

    /** False when more bytes are needed (or the head was bad). */
    private boolean decodeHead(ChannelHandlerContext ctx, ByteBuf buf) {
        int at = headEnd(buf);
        if (at < 0) {
            scanned = buf.readableBytes();
            if (scanned > maxHeadSize) {
                fail(ctx, "response head larger than " + maxHeadSize + " bytes", false);
            }
            return false;
        }
        scanned = 0;
        int length = at + 1 - buf.readerIndex();
        if (length > maxHeadSize) {
            fail(ctx, "response head larger than " + maxHeadSize + " bytes", false);
            return false;
        }
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        ResponseHead head;
        try {
            head = parse(bytes);
        } catch (DecoderException e) {
            fail(ctx, e.getMessage(), false);
            return false;
        }
        int code = head.code();
        if (code == 101) {
            state = State.UPGRADED;
            ctx.fireChannelRead(head);
            return false;
        }
        if (code < 200 || code == 204 || code == 304 || headRequest) {
            // No body, whatever the fields say; an interim (1xx) response is followed by the final one.
            state = State.HEAD;
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (head.isChunked()) {
            state = State.CHUNK_SIZE;
            ctx.fireChannelRead(head);
        } else if (head.contentLength() > 0) {
            state = State.FIXED;
            remaining = head.contentLength();
            ctx.fireChannelRead(head);
        } else if (head.contentLength() == 0) {
            state = State.HEAD;
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            state = State.UNTIL_CLOSE;
            ctx.fireChannelRead(head);
        }
        return true;
    }

    private boolean decodeChunkSize(ChannelHandlerContext ctx, ByteBuf buf) {
        int lf = buf.indexOf(buf.readerIndex(), Math.min(buf.writerIndex(), buf.readerIndex() + MAX_CHUNK_LINE), (byte) '\n');
        if (lf < 0) {
            if (buf.readableBytes() >= MAX_CHUNK_LINE) {
                fail(ctx, "chunk size line too long", true);
            }
            return false;
        }
        int start = buf.readerIndex();
        if (lf == start || buf.getByte(lf - 1) != '\r') {
            fail(ctx, "chunk size line not ended by CRLF", true);
            return false;
        }
        long size = 0;
        int digits = 0;
        int i = start;
        for (; i < lf - 1; i++) {
            int d = Character.digit(buf.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                fail(ctx, "chunk size too large", true);
                return false;
            }
            size = size << 4 | d;
        }
        byte next = buf.getByte(i);
        if (digits == 0 || (i < lf - 1 && next != ';' && next != ' ' && next != '\t')) {
            fail(ctx, "invalid chunk size", true);
            return false;
        }
        buf.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean skipTrailerLine(ChannelHandlerContext ctx, ByteBuf buf) {
        int lf = buf.indexOf(buf.readerIndex(), Math.min(buf.writerIndex(), buf.readerIndex() + maxHeadSize), (byte) '\n');
        if (lf < 0) {
            if (buf.readableBytes() >= maxHeadSize) {
                fail(ctx, "trailer section too large", true);
            }
            return false;
        }
        if (lf == buf.readerIndex() || buf.getByte(lf - 1) != '\r') {
            fail(ctx, "trailer line not ended by CRLF", true);
            return false;
        }
        boolean empty = lf == buf.readerIndex() + 1;
        buf.readerIndex(lf + 1);
        if (empty) {
            state = State.HEAD;
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        return true;
    }

    private void fail(ChannelHandlerContext ctx, String message, boolean inBody) {
        state = State.BROKEN;
        ByteBuf buf = cumulation;
        if (buf != null) {
            cumulation = null;
            buf.release();
        }
        DecoderException cause = new DecoderException("invalid response from backend: " + message);
        if (inBody) {
            LastHttpContent last = new DefaultLastHttpContent(io.netty.buffer.Unpooled.EMPTY_BUFFER,
                    EmptyHttpHeaders.INSTANCE);
            last.setDecoderResult(DecoderResult.failure(cause));
            ctx.fireChannelRead(last);
        } else {
            ctx.fireChannelRead(ResponseHead.invalid(cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.UNTIL_CLOSE) {
            // A close-delimited body ends here, complete (RFC 9112 section 6.3, rule 8).
            state = State.HEAD;
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        releaseCumulation();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed = true;
        ByteBuf left = cumulation;
        cumulation = null;
        if (left != null) {
            if (left.isReadable() && state == State.UPGRADED) {
                ctx.fireChannelRead(left); // what the backend sent right after its 101 belongs to the tunnel
            } else {
                left.release();
            }
        }
    }

    private void releaseCumulation() {
        ByteBuf buf = cumulation;
        cumulation = null;
        if (buf != null) {
            buf.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parsing a whole head (its bytes end with CRLF CRLF)

    static ResponseHead parse(byte[] b) {
        int end = b.length;
        if (end < 16 || b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' || b[4] != '/' || b[5] != '1'
                || b[6] != '.' || (b[7] != '0' && b[7] != '1') || b[8] != ' ') {
            throw new DecoderException("status line is not HTTP/1.0 or HTTP/1.1");
        }
        HttpVersion version = b[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        int code = digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
        if (code < 100 || code > 999) {
            throw new DecoderException("invalid status code");
        }
        int at = 12;
        int reasonStart = at;
        if (b[at] == ' ') {
            reasonStart = ++at;
            while (b[at] != '\r' && b[at] != '\n') {
                byte c = b[at];
                if ((c & 0xff) < 0x20 && c != '\t' || c == 0x7f) {
                    throw new DecoderException("control character in reason phrase");
                }
                at++;
            }
        }
        int reasonEnd = at;
        at = HeadParser.lineEnd(b, at);
        HeadFields fields = new HeadFields(b, b.length / 32) /* about one field per 32 bytes of head */;
        while (!(b[at] == '\r' && b[at + 1] == '\n')) {
            at = HeadParser.parseField(b, at, fields);
        }
        if (at + 2 != end) {
            throw new DecoderException("bytes after the head's end");
        }

        long contentLength = -1;
        boolean chunked = false;
        boolean transferEncoding = false;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.nameIs(i, CONTENT_LENGTH)) {
                long value = HeadParser.contentLengthOf(b, fields.valueStart(i), fields.valueEnd(i));
                if (contentLength >= 0 && value != contentLength) {
                    throw new DecoderException("conflicting Content-Length values");
                }
                contentLength = value;
            } else if (fields.nameIs(i, TRANSFER_ENCODING)) {
                transferEncoding = true;
                chunked = fields.equalsIgnoreCase(fields.valueStart(i), fields.valueEnd(i), CHUNKED);
                if (!chunked) {
                    throw new DecoderException("transfer coding other than chunked");
                }
            }
        }
        if (transferEncoding) {
            contentLength = -1; // Transfer-Encoding overrides Content-Length (RFC 9112 section 6.3)
        }
        boolean keepAlive = version == HttpVersion.HTTP_1_1
                ? !fields.hasToken(CONNECTION, CLOSE) : fields.hasToken(CONNECTION, KEEP_ALIVE);
        return new ResponseHead(version, code, reasonStart, reasonEnd, fields, contentLength, chunked, keepAlive);
    }

    private static int digit(byte c) {
        if (c < '0' || c > '9') {
            throw new DecoderException("invalid status code");
        }
        return c - '0';
    }

    /**
     * The index of the LF of the CRLF CRLF that ends the head, or -1 when it has not all arrived. Resumes where the
     * last read's search stopped, and searches no further than one byte past the head size limit.
     */
    private int headEnd(ByteBuf buf) {
        int at = buf.readerIndex() + Math.max(0, scanned - 3);
        int end = Math.min(buf.writerIndex(), buf.readerIndex() + maxHeadSize + 1);
        byte[] bytes = window;
        int matched = 0; // of CR LF CR
        while (at < end) {
            int n = Math.min(bytes.length, end - at);
            buf.getBytes(at, bytes, 0, n);
            for (int i = 0; i < n; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    if (matched == 3) {
                        return at + i;
                    }
                    matched = matched == 1 ? 2 : 0;
                } else {
                    matched = b != '\r' ? 0 : matched == 2 ? 3 : 1;
                }
            }
            at += n;
        }
        return -1;
    }
}
