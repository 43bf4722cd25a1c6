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
 */
final class ClientTimeoutHandler extends ChannelDuplexHandler {
    private enum State { AWAITING_REQUEST, READING_HEAD, IN_EXCHANGE }

    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private State state = State.AWAITING_REQUEST;
    private @Nullable ScheduledFuture<?> timer;

    ClientTimeoutHandler(long idleTimeoutNanos, long headerTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx, idleTimeoutNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.AWAITING_REQUEST && msg instanceof ByteBuf buf && buf.isReadable()) {
            state = State.READING_HEAD;
            arm(ctx, headerTimeoutNanos);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ExchangeStarted.INSTANCE) {
            state = State.IN_EXCHANGE;
            cancel();
        } else if (evt instanceof ExchangeCompleted) {
            state = State.AWAITING_REQUEST;
            if (ctx.channel().isActive()) {
                arm(ctx, idleTimeoutNanos);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        cancel();
        State armedFor = state;
        timer = ctx.executor().schedule(() -> {
            if (state == armedFor && state != State.IN_EXCHANGE) {
                ctx.close();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
