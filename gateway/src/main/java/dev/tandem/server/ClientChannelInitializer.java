package dev.tandem.server;

import dev.tandem.config.GatewayConfig;
import dev.tandem.config.LimitsConfig;
import dev.tandem.config.ListenerConfig;
import dev.tandem.http1.RequestDecoder;
import dev.tandem.metrics.ExchangeMetricsHandler;
import dev.tandem.proxy.AccessLogHandler;
import dev.tandem.proxy.ClientExchangeHandler;
import dev.tandem.proxy.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the client pipeline in the order {@link HandlerNames} documents, one small step at a time.
 * Listener settings are read once: changing them needs a restart, as the socket does.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext proxy;
    private final ListenerConfig listener;
    private final LimitsConfig limits;
    private final boolean accessLog;
    private final ChannelGroup clients;
    private final AtomicInteger connections = new AtomicInteger();

    ClientChannelInitializer(ProxyContext proxy, GatewayConfig config, ChannelGroup clients) {
        this.proxy = proxy;
        this.listener = config.listen();
        this.limits = config.limits();
        this.accessLog = config.accessLog().enabled();
        this.clients = clients;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!admit(ch)) {
            return;
        }
        ChannelPipeline pipeline = ch.pipeline();
        addTimeoutHandlers(pipeline);
        addHttpHandlers(pipeline);
        addExchangeHandlers(pipeline);
    }

    /** Enforces max-connections at accept; over the limit the connection is closed before any byte is read. */
    private boolean admit(Channel ch) {
        if (connections.incrementAndGet() > listener.maxConnections()) {
            connections.decrementAndGet();
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> connections.decrementAndGet());
        clients.add(ch);
        return true;
    }

    private void addTimeoutHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.CLIENT_TIMEOUTS, new ClientTimeoutHandler(
                listener.idleTimeout().toNanos(), listener.requestHeaderTimeout().toNanos()));
    }

    private void addHttpHandlers(ChannelPipeline pipeline) {
        // Tandem's own strict decoder (RFC 9112: CL+TE, TE on HTTP/1.0, obs-fold, bare LF, control characters are
        // failures, answered 400 and closed), which is also the connection's flow control: one message per read().
        // No encoder: responses go out as bytes the exchange writes itself (Http1Writer).
        pipeline.addLast(HandlerNames.CLIENT_CODEC,
                new RequestDecoder(limits.maxInitialLineLength(), limits.maxHeaderSize()));
    }

    private void addExchangeHandlers(ChannelPipeline pipeline) {
        pipeline.addLast(HandlerNames.CLIENT_EXCHANGE, new ClientExchangeHandler(proxy));
        if (proxy.metrics() != null) {
            pipeline.addLast(HandlerNames.METRICS, ExchangeMetricsHandler.INSTANCE);
        }
        if (accessLog) {
            pipeline.addLast(HandlerNames.ACCESS_LOG, AccessLogHandler.INSTANCE);
        }
    }
}
