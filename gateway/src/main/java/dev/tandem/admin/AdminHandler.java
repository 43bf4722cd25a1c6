package dev.tandem.admin;

import dev.tandem.server.ConfigReloader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Serves the admin endpoints. A terminal handler: each request is aggregated (they are small) and answered here.
 *
 * <p>Authorisation: changes always need {@code Authorization: Bearer <admin.token>}, and are refused when no token
 * is configured; reads need it too when the admin listener is bound to a non-loopback address.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String DASHBOARD = "dev/tandem/dashboard/";
    static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.js";
    private static final Map<String, byte[]> ASSETS = new ConcurrentHashMap<>();
    private static final long STREAM_PERIOD_MILLIS = 1000;

    private final AdminApi api;
    private final @Nullable String token;
    private final boolean readsNeedToken;

    AdminHandler(AdminApi api, @Nullable String token, boolean readsNeedToken) {
        this.api = api;
        this.token = token;
        this.readsNeedToken = readsNeedToken;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "malformed request"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpMethod method = request.method();
        boolean change = !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD);
        // The dashboard's static files hold no data, and a browser cannot send a header when it opens a page:
        // they load without the token, and the page sends it on its own reads.
        boolean staticFile = !change && (path.equals("/") || path.equals("/dashboard") || path.equals("/index.html")
                || path.startsWith("/assets/"));
        if (change || (readsNeedToken && !staticFile)) {
            FullHttpResponse denied = authorise(request, change);
            if (denied != null) {
                send(ctx, request, denied);
                return;
            }
        }
        if (change && path.equals("/api/reload") && method.equals(HttpMethod.POST)) {
            reload(ctx, request);
            return;
        }
        if (change) {
            change(ctx, request, path);
            return;
        }
        switch (path) {
            case "/healthz" -> send(ctx, request, json(HttpResponseStatus.OK, "{\"status\":\"ok\"}"));
            case "/readyz" -> ready(ctx, request);
            case "/metrics" -> send(ctx, request, text(HttpResponseStatus.OK, api.scrape(),
                    "text/plain; version=0.0.4; charset=utf-8"));
            case "/api/routes" -> send(ctx, request, json(HttpResponseStatus.OK, api.routesJson()));
            case "/api/stats" -> send(ctx, request, json(HttpResponseStatus.OK, api.statsJson()));
            case "/api/stream" -> stream(ctx);
            case "/api/backends" -> send(ctx, request, json(HttpResponseStatus.OK, api.backendsJson()));
            case "/api/mirrors" -> send(ctx, request, json(HttpResponseStatus.OK, api.mirrorsJson()));
            case "/api/config" -> send(ctx, request, json(HttpResponseStatus.OK, api.configJson()));
            case "/api/audit" -> {
                AdminChanges changes = api.gateway().changes();
                send(ctx, request, changes == null
                        ? json(HttpResponseStatus.OK, "{\"changes\":[]}")
                        : json(HttpResponseStatus.OK, changes.auditJson()));
            }
            case "/", "/dashboard", "/index.html" -> send(ctx, request, asset(DASHBOARD + "index.html"));
            case "/assets/chart.umd.js" -> send(ctx, request, asset(CHART_JS));
            default -> {
                if (path.startsWith("/assets/") && path.indexOf("..") < 0) {
                    send(ctx, request, asset(DASHBOARD + path.substring("/assets/".length())));
                } else {
                    send(ctx, request, error(HttpResponseStatus.NOT_FOUND, "no admin endpoint " + path));
                }
            }
        }
    }

    /** Changes run on the change thread; the answer is written back on this channel's loop when in force. */
    private void change(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        AdminChanges changes = api.gateway().changes();
        if (changes == null) {
            send(ctx, request, error(HttpResponseStatus.NOT_FOUND, "no admin endpoint " + request.method() + " " + path));
            return;
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        changes.handle(method, path, body, remote(ctx)).whenComplete((result, failure) -> ctx.executor().execute(() -> {
            FullHttpResponse response = failure != null
                    ? error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "change failed: " + failure.getMessage())
                    : json(HttpResponseStatus.valueOf(result.status()), result.json());
            send(ctx, keepAlive, method, response);
        }));
    }

    private void reload(ChannelHandlerContext ctx, FullHttpRequest request) {
        ConfigReloader reloader = api.gateway().reloader();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (reloader == null) {
            send(ctx, request, error(HttpResponseStatus.CONFLICT, "this gateway was not started from a config file"));
            return;
        }
        reloader.reloadNow("admin API " + remote(ctx)).whenComplete((status, failure) -> ctx.executor().execute(() ->
                send(ctx, keepAlive, HttpMethod.POST, failure != null
                        ? error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(failure.getMessage()))
                        : json(status.accepted() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
                                AdminApi.statusJson(status)))));
    }

    private @Nullable FullHttpResponse authorise(FullHttpRequest request, boolean change) {
        if (token == null) {
            return change ? error(HttpResponseStatus.FORBIDDEN,
                    "no admin token is configured: set tandem.admin.token (or TANDEM_ADMIN_TOKEN) to allow changes")
                    : null;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String expected = "Bearer " + token;
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            FullHttpResponse response = error(HttpResponseStatus.UNAUTHORIZED,
                    "missing or wrong bearer token (expected: Authorization: Bearer <admin token>)");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tandem-admin\"");
            return response;
        }
        return null;
    }

    private void ready(ChannelHandlerContext ctx, FullHttpRequest request) {
        request.retain();
        api.probeBackends().addListener(f -> {
            try {
                @SuppressWarnings("unchecked")
                List<String> down = (List<String>) f.getNow();
                if (down != null && down.isEmpty()) {
                    send(ctx, request, json(HttpResponseStatus.OK, "{\"status\":\"ready\"}"));
                } else {
                    String names = down == null ? "[]" : AdminApi.json(out -> {
                        out.writeStartArray();
                        for (String name : down) {
                            out.writeString(name);
                        }
                        out.writeEndArray();
                    });
                    send(ctx, request, json(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "{\"status\":\"not_ready\",\"unreachable_backends\":" + names + "}"));
                }
            } finally {
                request.release();
            }
        });
    }

    /** Server-sent events: the stats document once a second, skipped while the client is not keeping up. */
    private void stream(ChannelHandlerContext ctx) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        ScheduledFuture<?> ticks = ctx.executor().scheduleAtFixedRate(() -> {
            if (ctx.channel().isActive() && ctx.channel().isWritable()) {
                String event = "event: stats\ndata: " + api.statsJson() + "\n\n";
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
            }
        }, 0, STREAM_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> ticks.cancel(false));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        send(ctx, HttpUtil.isKeepAlive(request), request.method(), response);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpMethod method,
            FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (method.equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    private static FullHttpResponse asset(String resource) {
        byte[] bytes = ASSETS.computeIfAbsent(resource, AdminHandler::load);
        if (bytes.length == 0) {
            return error(HttpResponseStatus.NOT_FOUND, "no such asset");
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(resource))
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return response;
    }

    private static byte[] load(String resource) {
        try (InputStream in = AdminHandler.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (resource.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (resource.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (resource.endsWith(".svg")) {
            return "image/svg+xml";
        }
        if (resource.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }

    static FullHttpResponse json(HttpResponseStatus status, String body) {
        return text(status, body, "application/json");
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        String body = AdminApi.json(out -> {
            out.writeStartObject();
            out.writeStringField("error", status.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_'));
            out.writeNumberField("status", status.code());
            out.writeStringField("message", message);
            out.writeEndObject();
        });
        return json(status, body);
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    private static String remote(ChannelHandlerContext ctx) {
        return String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
