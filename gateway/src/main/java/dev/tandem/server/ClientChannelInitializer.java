package dev.tandem.server;

import dev.tandem.config.GatewayConfig;
import dev.tandem.config.LimitsConfig;
import dev.tandem.config.ListenerConfig;
import dev.tandem.metrics.ExchangeMetricsHandler;
import dev.tandem.proxy.AccessLogHandler;
import dev.tandem.proxy.ClientExchangeHandler;
import dev.tandem.proxy.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.flow.FlowControlHandler;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the client pipeline in the order {@link HandlerNames} documents, one small step at a time.
 * Listener settings are read once: changing them needs a restart, as the socket does.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    /** Decoded body chunks are at most this big: a chunk per read keeps memory per connection flat. */
    private static final int MAX_CHUNK_SIZE = 16 * 1024;

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
        pipeline.addLast(HandlerNames.OBS_FOLD_GUARD, new ObsFoldGuard());
    }

    private void addHttpHandlers(ChannelPipeline pipeline) {
        // Strict parsing (bare LF, control characters) and Netty's RFC 9112 Transfer-Encoding rules are on by
        // default: CL+TE, TE on HTTP/1.0 and a non-final chunked are decoder failures, answered 400 and closed.
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false);
        // Decoder only: responses go out as bytes the exchange writes itself (Http1Writer), copied from the backend's.
        pipeline.addLast(HandlerNames.CLIENT_CODEC, new HttpRequestDecoder(decoder));
        // The decoder may turn one read into many messages; this hands them over one per read() call.
        pipeline.addLast(HandlerNames.CLIENT_FLOW_CONTROL, new FlowControlHandler());
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
