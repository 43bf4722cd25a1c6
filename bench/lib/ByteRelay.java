import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The floor for a Netty proxy on this machine: bytes relayed between a client and its own upstream connection
 * (1:1, opened on accept), one epoll event loop, stop-and-wait reads, no HTTP at all. Not a proxy anyone should
 * run; a yardstick for how much of Tandem's CPU per request is HTTP handling (bench/results/IMPROVEMENTS.md).
 *
 *   java -cp gateway/target/tandem-gateway.jar bench/lib/ByteRelay.java LISTEN_PORT UPSTREAM_PORT
 */
public class ByteRelay {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int upstreamPort = Integer.parseInt(args[1]);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay"),
                EpollIoHandler.newFactory());
        new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ClientSide(upstreamPort));
                    }
                }).bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    static final class ClientSide extends ChannelInboundHandlerAdapter {
        private final int upstreamPort;
        private Channel upstream;

        ClientSide(int upstreamPort) {
            this.upstreamPort = upstreamPort;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            ChannelFuture connect = new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false).handler(new UpstreamSide(client))
                    .connect("127.0.0.1", upstreamPort);
            upstream = connect.channel();
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    client.read();
                    upstream.read();
                } else {
                    client.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            upstream.writeAndFlush(msg).addListener(f -> ctx.channel().read());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    static final class UpstreamSide extends ChannelInboundHandlerAdapter {
        private final Channel client;

        UpstreamSide(Channel client) {
            this.client = client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            client.writeAndFlush(msg).addListener(f -> ctx.channel().read());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.close();
        }
    }
}
