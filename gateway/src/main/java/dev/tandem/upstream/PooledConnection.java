package dev.tandem.upstream;

import dev.tandem.http1.ResponseDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * One upstream connection and its state. It is also the last inbound handler of its channel's pipeline, so the
 * connection's events reach the exchange that holds it without a lookup.
 *
 * <p>Thread affinity: the channel is registered on the event loop of the client channel that opened it, and every
 * field is touched only from that loop; no locks, no volatile.
 */
public final class PooledConnection extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private @Nullable Channel channel;
    private @Nullable UpstreamListener listener;
    private @Nullable ResponseDecoder decoder;
    private int exchanges;
    private long idleSinceNanos;

    PooledConnection(UpstreamPool pool) {
        this.pool = pool;
    }

    public Channel channel() {
        if (channel == null) {
            throw new IllegalStateException("not connected");
        }
        return channel;
    }

    /** The pool's backend name (the metric tag). */
    public String backend() {
        return pool.backend().name();
    }

    void decoder(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    /**
     * Writes a request head (already encoded) and tells the response decoder what it answers; not flushed. The
     * caller writes the body, if any, and flushes.
     */
    public void writeRequestHead(HttpMethod method, ByteBuf head) {
        ResponseDecoder current = decoder;
        if (current != null) {
            current.expectResponseTo(method);
        }
        Channel ch = channel();
        ch.write(head, ch.voidPromise());
    }

    /** Whether an earlier exchange already used this connection: a reused connection may have gone stale. */
    public boolean isReused() {
        return exchanges > 1;
    }

    /** Binds the connection to an exchange; its events go there until {@link #release}. */
    public void bind(UpstreamListener listener) {
        this.listener = listener;
        exchanges++;
    }

    /**
     * Gives the connection back. Only a connection whose request was fully written and whose response was fully read,
     * without {@code Connection: close}, error or timeout, is reusable; any other is closed.
     */
    public void release(boolean reusable) {
        listener = null;
        pool.release(this, reusable);
    }

    /** Takes the connection out of the pool for good (a WebSocket tunnel); it is closed by its tunnel. */
    public void detach() {
        listener = null;
        pool.detach(this);
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onUpstreamMessage(msg);
            return;
        }
        // Nothing may arrive on an idle connection: a stray response means the framing is lost. Drop it.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamError(cause);
        }
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }
}
