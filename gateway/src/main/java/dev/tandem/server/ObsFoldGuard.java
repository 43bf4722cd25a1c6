package dev.tandem.server;

import dev.tandem.proxy.ExchangeCompleted;
import dev.tandem.proxy.ExchangeStarted;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ByteProcessor;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * Rejects obs-fold (a header line continued on the next line by leading whitespace) with 400 and a closed
 * connection. RFC 9112 section 5.2 lets a server either reject it or unfold it; Netty's decoder unfolds, and a proxy
 * that unfolds what a backend might read differently invites desync, so we reject.
 *
 * <p>Netty's decoder hides folding once it has parsed a head, so this looks at raw bytes, before the codec, while
 * a request head is being read (between exchanges). Body bytes are not scanned.
 */
final class ObsFoldGuard extends ChannelInboundHandlerAdapter {
    private static final byte[] REJECTION = rejection();

    /** Scanning a head: true between exchanges. */
    private boolean inHead = true;
    /** At the first byte of a line, across reads. */
    private boolean atLineStart = true;
    /** Lines of the head so far: the request line, then header lines. */
    private int lines;
    private boolean folded;
    /** Made once: forEachByte is the buffer's fast path, without a bounds and liveness check per byte. */
    private final ByteProcessor scanner = this::scan;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inHead && msg instanceof ByteBuf buf && folds(buf)) {
            buf.release();
            inHead = false;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(REJECTION)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean folds(ByteBuf buf) {
        folded = false;
        buf.forEachByte(scanner);
        return folded;
    }

    /** One byte of a head; false stops the scan (a fold found, or the head is over). */
    private boolean scan(byte b) {
        if (!atLineStart) {
            atLineStart = b == '\n';
        } else if (b == ' ' || b == '\t') {
            if (lines > 0) {
                folded = true; // a line after the request line that starts with whitespace continues a field
                return false;
            }
            atLineStart = false;
        } else if (b == '\r' || b == '\n') {
            if (lines > 0) {
                inHead = false; // the empty line: the head is over, and the body is not ours to scan
                return false;
            }
        } else {
            atLineStart = false;
            lines++;
        }
        return true;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ExchangeStarted.INSTANCE) {
            inHead = false;
        } else if (evt instanceof ExchangeCompleted) {
            inHead = true;
            atLineStart = true;
            lines = 0;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static byte[] rejection() {
        String body = "{\"error\":\"bad_request\",\"status\":400,\"message\":"
                + "\"obs-fold in a header (RFC 9112 section 5.2)\"}\n";
        String response = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\nconnection: close\r\n\r\n" + body;
        return response.getBytes(StandardCharsets.US_ASCII);
    }
}
