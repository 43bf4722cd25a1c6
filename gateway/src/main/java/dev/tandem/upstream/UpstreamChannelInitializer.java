package dev.tandem.upstream;

import dev.tandem.http1.ResponseDecoder;
import dev.tandem.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The upstream pipeline: Tandem's response decoder, then the connection itself. Response bodies are never aggregated.
 *
 * <p>No FlowControlHandler here, on purpose: the exchange asks for the next read only while the client is writable,
 * and what one read decodes (at most one receive buffer) is relayed in full, which bounds memory as tightly. A flow
 * control queue would also lose a close-delimited response: the decoder emits its end when the channel goes
 * inactive, and the queue is dropped at that moment.
 */
final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    /** Response heads from our own backends; generous, since Django sets many cookies and headers. */
    private static final int MAX_HEAD_SIZE = 8192 + 65536;

    private final PooledConnection connection;

    UpstreamChannelInitializer(PooledConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void initChannel(Channel ch) {
        // No encoder: requests go out as bytes (Http1Writer). A connection that closes with a response outstanding
        // reaches the exchange as a close, which fails it.
        ResponseDecoder decoder = new ResponseDecoder(MAX_HEAD_SIZE);
        connection.decoder(decoder);
        ch.pipeline()
                .addLast(HandlerNames.UPSTREAM_CODEC, decoder)
                .addLast(HandlerNames.UPSTREAM_RESPONSE, connection);
    }
}
