package dev.tandem.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, deliberately misbehaving-on-request HTTP backend for component tests, on an ephemeral loopback port.
 * Paths:
 * <ul>
 *   <li>{@code /echo}: 200 with the request body, and the request head as {@code X-Echo-*} headers</li>
 *   <li>{@code /headers}: 200 with the request headers as text, one per line</li>
 *   <li>{@code /sha256}: 200 with the hex SHA-256 of the request body</li>
 *   <li>{@code /bytes?n=N}: N bytes, chunked, in 8 KiB chunks</li>
 *   <li>{@code /slow?ms=M}: answers after M ms</li>
 *   <li>{@code /truncated}: promises 1000 bytes, sends 10, closes</li>
 *   <li>{@code /close-delimited}: a body with neither length nor chunking, ended by closing</li>
 *   <li>{@code /garbage}: not HTTP at all</li>
 *   <li>{@code /close-no-response}: reads the request, closes without a word</li>
 *   <li>{@code /ws}: a WebSocket that echoes text frames</li>
 *   <li>anything else: 200 {@code name:path}</li>
 * </ul>
 * It counts connections and requests per path, so tests can assert keep-alive reuse and no duplicate requests.
 */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private final long delayMillis;

    private TestBackend(String name, long delayMillis) throws InterruptedException {
        this.name = name;
        this.delayMillis = delayMillis;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024 * 1024))
                                .addLast(new WebSocketServerProtocolHandler("/ws"))
                                .addLast(new Behaviour());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name, 0);
    }

    /** A backend that answers everything {@code delayMillis} late. */
    public static TestBackend slow(String name, long delayMillis) throws InterruptedException {
        return new TestBackend(name, delayMillis);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int connections() {
        return connections.get();
    }

    public int requests(String path) {
        AtomicInteger count = requests.get(path);
        return count == null ? 0 : count.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Behaviour extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof TextWebSocketFrame frame) {
                ctx.writeAndFlush(new TextWebSocketFrame("echo:" + frame.text()));
                return;
            }
            if (!(msg instanceof FullHttpRequest request)) {
                return;
            }
            if (delayMillis > 0) {
                request.retain();
                ctx.executor().schedule(() -> {
                    try {
                        respond(ctx, request);
                    } finally {
                        request.release();
                    }
                }, delayMillis, TimeUnit.MILLISECONDS);
                return;
            }
            respond(ctx, request);
        }

        private void respond(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            requests.computeIfAbsent(uri.path(), p -> new AtomicInteger()).incrementAndGet();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            switch (uri.path()) {
                case "/echo" -> {
                    FullHttpResponse response = ok(request.content().retain());
                    request.headers().forEach(h -> response.headers().add("X-Echo-" + h.getKey(), h.getValue()));
                    response.headers().set("X-Echo-Uri", request.uri());
                    response.headers().set("X-Echo-Method", request.method().name());
                    send(ctx, response, keepAlive);
                }
                case "/headers" -> {
                    StringBuilder text = new StringBuilder();
                    request.headers().forEach(h -> text.append(h.getKey().toLowerCase()).append(": ")
                            .append(h.getValue()).append('\n'));
                    send(ctx, ok(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)), keepAlive);
                }
                case "/sha256" -> send(ctx, ok(Unpooled.copiedBuffer(sha256(request.content()),
                        StandardCharsets.US_ASCII)), keepAlive);
                case "/bytes" -> streamBytes(ctx, Long.parseLong(param(uri, "n", "0")), keepAlive);
                case "/slow" -> {
                    long ms = Long.parseLong(param(uri, "ms", "1000"));
                    ctx.executor().schedule(() -> send(ctx, ok(text(name + ":slow")), keepAlive),
                            ms, TimeUnit.MILLISECONDS);
                }
                case "/truncated" -> {
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 1000);
                    ctx.write(head);
                    ctx.writeAndFlush(new DefaultHttpContent(text("0123456789")))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                case "/close-delimited" -> {
                    // Raw bytes, written below the HTTP encoder.
                    ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer(
                            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-the-end", StandardCharsets.US_ASCII))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                case "/split-small" -> {
                    // A small body sent apart from its head, in two parts: the gateway cannot copy it in after the
                    // head in one read, and must still send head and body in order.
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 10);
                    ctx.writeAndFlush(head);
                    ctx.executor().schedule(() -> ctx.writeAndFlush(new DefaultHttpContent(text("01234"))),
                            50, TimeUnit.MILLISECONDS);
                    ctx.executor().schedule(() -> ctx.writeAndFlush(new DefaultLastHttpContent(text("56789"))),
                            100, TimeUnit.MILLISECONDS);
                }
                case "/once" -> send(ctx, ok(text(name + ":once")), false); // answers, then closes
                case "/close-no-response" -> ctx.close();
                case "/garbage" -> ctx.pipeline().firstContext().writeAndFlush(Unpooled.copiedBuffer(
                        "NOT HTTP AT ALL\r\n\r\n", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                default -> send(ctx, ok(text(name + ":" + uri.path())), keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void streamBytes(ChannelHandlerContext ctx, long n, boolean keepAlive) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        // Byte i of the body is (byte) (i % 8192): every chunk is the same 8 KiB pattern.
        byte[] pattern = new byte[8192];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) i;
        }
        long left = n;
        while (left > 0) {
            int size = (int) Math.min(pattern.length, left);
            ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(pattern, 0, size)));
            left -= size;
        }
        var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    private static FullHttpResponse ok(ByteBuf body) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    }

    private static ByteBuf text(String value) {
        return Unpooled.copiedBuffer(value, StandardCharsets.UTF_8);
    }

    private static String param(QueryStringDecoder uri, String key, String fallback) {
        var values = uri.parameters().get(key);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    public static String sha256(ByteBuf content) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(content.nioBuffer());
            return HexFormat.of().formatHex(digest.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
