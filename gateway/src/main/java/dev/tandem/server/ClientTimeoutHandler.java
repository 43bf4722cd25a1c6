package dev.tandem.server;

import dev.tandem.proxy.ExchangeCompleted;
import dev.tandem.proxy.ExchangeStarted;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Closes client connections that hold resources without making progress. Between exchanges a keep-alive connection
 * may stay idle for the idle timeout; once the first byte of a request arrives, its whole head must arrive within
 * the request-header timeout (against slowloris). During an exchange, the upstream response timeout applies instead.
 * Sits before the HTTP codec so it sees raw bytes.
 *
 * <p>State changes only note the time: one timer per connection checks the deadline every half of the shorter
 * timeout, so a keep-alive connection costs no timer operation per request, and a deadline is enforced at most
 * half a timeout late.
 */
final class ClientTimeoutHandler extends ChannelDuplexHandler {
    private enum State { AWAITING_REQUEST, READING_HEAD, IN_EXCHANGE }

    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private final long checkPeriodNanos;
    private State state = State.AWAITING_REQUEST;
    private long stateSinceNanos;
    private @Nullable ScheduledFuture<?> timer;

    ClientTimeoutHandler(long idleTimeoutNanos, long headerTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.checkPeriodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(idleTimeoutNanos, headerTimeoutNanos) / 2);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        stateSinceNanos = System.nanoTime();
        schedule(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.AWAITING_REQUEST && msg instanceof ByteBuf buf && buf.isReadable()) {
            enter(State.READING_HEAD);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ExchangeStarted.INSTANCE) {
            state = State.IN_EXCHANGE; // no deadline here, so no clock read
        } else if (evt instanceof ExchangeCompleted done) {
            state = State.AWAITING_REQUEST;
            stateSinceNanos = done.endNanos();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void enter(State next) {
        state = next;
        stateSinceNanos = System.nanoTime();
    }

    private void schedule(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> check(ctx), checkPeriodNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long waited = System.nanoTime() - stateSinceNanos;
        boolean expired = switch (state) {
            case AWAITING_REQUEST -> waited >= idleTimeoutNanos;
            case READING_HEAD -> waited >= headerTimeoutNanos;
            case IN_EXCHANGE -> false;
        };
        if (expired) {
            ctx.close();
        } else {
            schedule(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
