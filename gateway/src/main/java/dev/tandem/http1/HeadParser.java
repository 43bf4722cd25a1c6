package dev.tandem.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import org.jspecify.annotations.Nullable;

/** The RFC 9112 rules both decoders parse heads by: line endings, field lines, Content-Length, tokens. */
final class HeadParser {
    /** RFC 9110 section 5.6.2 tchar, by byte: one lookup per byte of every field name. */
    private static final boolean[] TCHAR = tokenChars();

    private HeadParser() {
    }

    private static boolean[] tokenChars() {
        boolean[] table = new boolean[256];
        for (int c = 0x21; c < 0x7f; c++) {
            table[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
        return table;
    }

    /**
     * Adds a read to the bytes a decoder holds. Slices of the held buffer may still be in flight downstream, so
     * the bytes go to a new buffer rather than after the old one; both inputs are released.
     */
    static ByteBuf cumulate(ByteBufAllocator alloc, @Nullable ByteBuf held, ByteBuf in) {
        if (held == null) {
            return in;
        }
        ByteBuf merged = alloc.buffer(held.readableBytes() + in.readableBytes());
        merged.writeBytes(held).writeBytes(in);
        held.release();
        in.release();
        return merged;
    }

    /** Checks the CRLF at {@code at} and returns the start of the next line. */
    static int lineEnd(byte[] b, int at) {
        if (b[at] != '\r' || b[at + 1] != '\n') {
            throw new DecoderException("line not ended by CRLF");
        }
        return at + 2;
    }

    static int parseField(byte[] b, int start, HeadFields fields) {
        int at = start;
        while (TCHAR[b[at] & 0xff]) {
            at++;
        }
        if (b[at] != ':') {
            throw new DecoderException(at == start && (b[at] == ' ' || b[at] == '\t')
                    ? "obs-fold in a header (RFC 9112 section 5.2)" : "invalid character in a header field name");
        }
        int nameEnd = at;
        if (nameEnd == start) {
            throw new DecoderException("empty header field name");
        }
        at++;
        while (b[at] == ' ' || b[at] == '\t') {
            at++;
        }
        int valueStart = at;
        int valueEnd = at;
        while (b[at] != '\r' && b[at] != '\n') {
            byte c = b[at];
            if ((c & 0xff) < 0x20 && c != '\t' || c == 0x7f) {
                throw new DecoderException("control character in a header field value");
            }
            if (c != ' ' && c != '\t') {
                valueEnd = at + 1;
            }
            at++;
        }
        fields.add(start, nameEnd, valueStart, valueEnd);
        return lineEnd(b, at);
    }

    static long contentLengthOf(byte[] b, int start, int end) {
        if (start == end || end - start > 18) {
            throw new DecoderException("invalid Content-Length");
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                throw new DecoderException("invalid Content-Length");
            }
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    /** RFC 9110 section 5.6.2 tchar. */
    static boolean isTokenChar(byte c) {
        return TCHAR[c & 0xff];
    }
}
