package dev.tandem.metrics;

import dev.tandem.proxy.ExchangeCompleted;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Records every exchange once, when it completes, into the meters it was routed to. */
@ChannelHandler.Sharable
public final class ExchangeMetricsHandler extends ChannelInboundHandlerAdapter {
    public static final ExchangeMetricsHandler INSTANCE = new ExchangeMetricsHandler();

    private ExchangeMetricsHandler() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ExchangeCompleted done && done.metrics() != null) {
            done.metrics().completed(done.method(), done.status(), done.outcome(),
                    done.durationNanos(), done.bytesIn(), done.bytesOut(), done.endNanos());
        }
        ctx.fireUserEventTriggered(evt);
    }
}
