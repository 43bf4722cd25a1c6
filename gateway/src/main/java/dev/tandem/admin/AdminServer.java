package dev.tandem.admin;

import dev.tandem.config.AdminConfig;
import dev.tandem.internal.Transport;
import dev.tandem.server.GatewayServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: health, readiness, Prometheus metrics, the JSON API and the dashboard. It runs on its own
 * single event loop, so a scrape or a dashboard never takes time from the proxy loops; it only reads proxy state
 * (and swaps the route table atomically on a runtime change).
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /** Admin requests are small JSON documents; anything bigger is refused with 413. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static AdminServer start(GatewayServer gateway, Transport transport) throws InterruptedException {
        AdminConfig config = gateway.config().admin();
        EventLoopGroup group = transport.newGroup(1, "tandem-admin");
        AdminApi api = new AdminApi(gateway, group.next());
        boolean readsNeedToken = !config.isLoopback();
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new AdminHandler(api, config.token(), readsNeedToken));
                    }
                })
                .bind(config.host(), config.port()).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        log.info("tandem admin and dashboard on http://{}:{}/", bound.getHostString(), bound.getPort());
        return new AdminServer(group, channel);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
