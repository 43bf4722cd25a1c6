package dev.tandem.traffic;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/**
 * A copy of a streamed body, up to a limit, taken as the body passes by. The buffers stay with their owner: only
 * bytes are copied, so mirroring never changes who releases what.
 */
final class BoundedCopy {
    /** Response bytes kept for comparison; beyond this, bodies are compared by hash of what was kept. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final long limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean truncated;

    BoundedCopy(long limit) {
        this.limit = limit;
    }

    /** Copies what fits of the buffer's readable bytes; false once anything did not fit. */
    boolean append(ByteBuf buf) {
        int readable = buf.readableBytes();
        long room = limit - bytes.size();
        int copied = (int) Math.min(room, readable);
        if (copied > 0) {
            byte[] chunk = new byte[copied];
            buf.getBytes(buf.readerIndex(), chunk);
            bytes.writeBytes(chunk);
        }
        if (copied < readable) {
            truncated = true;
        }
        return !truncated;
    }

    boolean truncated() {
        return truncated;
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
