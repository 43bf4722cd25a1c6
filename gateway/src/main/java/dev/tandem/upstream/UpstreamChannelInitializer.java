package dev.tandem.upstream;

import dev.tandem.server.HandlerNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;

/**
 * The upstream pipeline: HTTP/1.1 client codec, then the connection itself. Response bodies are never aggregated.
 *
 * <p>No FlowControlHandler here, on purpose: the exchange asks for the next read only while the client is writable,
 * and what one read decodes (at most one receive buffer) is relayed in full, which bounds memory as tightly. A flow
 * control queue would also lose a close-delimited response: the decoder emits its end when the channel goes
 * inactive, and the queue is dropped at that moment.
 */
final class UpstreamChannelInitializer extends ChannelInitializer<Channel> {
    /** Response heads from our own backends; generous, since Django sets many cookies and headers. */
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 65536;
    private static final int MAX_CHUNK_SIZE = 16384;

    private final PooledConnection connection;

    UpstreamChannelInitializer(PooledConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void initChannel(Channel ch) {
        // failOnMissingResponse: a connection that closes with a request outstanding is an error, not silence.
        ch.pipeline()
                .addLast(HandlerNames.UPSTREAM_CODEC,
                        new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE, true))
                .addLast(HandlerNames.UPSTREAM_RESPONSE, connection);
    }
}
