package dev.tandem.traffic;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Arrays;

/**
 * A copy of a streamed body, up to a limit, taken as the body passes by. The buffers stay with their owner: only
 * bytes are copied, so mirroring never changes who releases what. Each byte is copied once, straight into an array
 * sized from the body's announced length when there is one, and that array is the result when it was filled exactly.
 */
final class BoundedCopy {
    /** Response bytes kept for comparison; beyond this, bodies are compared by hash of what was kept. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private final int limit;
    private byte[] bytes = EMPTY;
    private int size;
    private boolean truncated;

    BoundedCopy(long limit) {
        this.limit = (int) Math.min(limit, Integer.MAX_VALUE - 8);
    }

    /** Whether a response to {@code method} with {@code status} has a body its Content-Length describes. */
    static boolean hasBody(HttpMethod method, int status) {
        return !method.equals(HttpMethod.HEAD) && status >= 200 && status != 204
                && status != 304;
    }

    /** The body announced its length: room for it (up to the limit) is made at once. */
    void expect(long length) {
        if (length > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(length, limit));
        }
    }

    /** Copies what fits of the buffer's readable bytes; false once anything did not fit. */
    boolean append(ByteBuf buf) {
        int readable = buf.readableBytes();
        int copied = Math.min(limit - size, readable);
        if (copied > 0) {
            if (size + copied > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + copied, 2L * bytes.length)));
            }
            buf.getBytes(buf.readerIndex(), bytes, size, copied);
            size += copied;
        }
        if (copied < readable) {
            truncated = true;
        }
        return !truncated;
    }

    boolean truncated() {
        return truncated;
    }

    /** The bytes kept; the copy's own array when it is exactly full, so do not change it. */
    byte[] toByteArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
}
