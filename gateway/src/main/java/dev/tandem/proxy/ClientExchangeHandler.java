package dev.tandem.proxy;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.ProxyConfig;
import dev.tandem.http1.HeadFields;
import dev.tandem.http1.Http1Writer;
import dev.tandem.http1.RequestHead;
import dev.tandem.http1.ResponseHead;
import dev.tandem.internal.Channels;
import dev.tandem.metrics.GatewayMetrics;
import dev.tandem.resilience.UpstreamGuard;
import dev.tandem.routing.RequestTarget;
import dev.tandem.routing.Route;
import dev.tandem.server.HandlerNames;
import dev.tandem.traffic.Mirror;
import dev.tandem.traffic.ShadowHead;
import dev.tandem.upstream.PoolExhaustedException;
import dev.tandem.upstream.PooledConnection;
import dev.tandem.upstream.UpstreamListener;
import dev.tandem.upstream.UpstreamPool;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one exchange at a time between a client connection and an upstream connection.
 *
 * <p>The flow runs in one direction: the request head is routed, a connection is taken from the pool of the routed
 * backend on this channel's own event loop, the rewritten head goes upstream, the body follows, and the response
 * streams back. Both channels run with AUTO_READ off: we read from one side only while the other side is writable
 * (writability watermarks), so neither a slow client nor a slow backend makes us buffer without bound. The next
 * request on a keep-alive connection is read only after the current response is complete: HTTP/1.1 pipelining is
 * served one request at a time.
 *
 * <p>Ownership: every message read from either side is either written to the other side (which releases it) or
 * released here, on every path.
 */
public final class ClientExchangeHandler extends ChannelInboundHandlerAdapter implements UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(ClientExchangeHandler.class);
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString SHADOW = AsciiString.of(Mirror.SHADOW_HEADER.toLowerCase(java.util.Locale.ROOT));
    /** Largest body copied in after its head (see {@link Exchange#heldHead}); larger ones are sent as they are. */
    private static final int HELD_BODY_MAX = 4096;

    private final ProxyContext proxy;
    private @Nullable ChannelHandlerContext ctx;
    /** The exchange in flight; null between requests. One at a time, so no map and no queue. */
    private @Nullable Exchange exchange;
    private @Nullable ScheduledFuture<?> responseTimer;
    private @Nullable String clientAddress;
    private @Nullable HeaderNames headerNames;
    /**
     * The clock at the first upstream message of the current read, or 0 outside one: one clock read serves every
     * message a read brings (a head and its body, usually) and the end of the exchange they complete.
     */
    private long upstreamReadNanos;
    private long responseTimerAt;

    public ClientExchangeHandler(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        requestClientRead();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RequestHead request) {
            onRequestHead(request);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Request side

    private void onRequestHead(RequestHead request) {
        ChannelHandlerContext ctx = context();
        if (exchange != null) {
            // We never read ahead of a response, so this can only follow a failure that already closed us.
            return;
        }
        ProxyContext.Snapshot snapshot = proxy.snapshot();
        GatewayConfig config = snapshot.config();
        HeaderNames names = headerNames(config);
        HeadFields fields = request.fields();

        String clientRequestId = fields.get(names.requestId);
        String requestId = clientRequestId != null && RequestIds.isValid(clientRequestId)
                ? clientRequestId : RequestIds.generate();
        Exchange ex = new Exchange(config, requestId, request.method(), request.uri(),
                request.protocolVersion() == HttpVersion.HTTP_1_0);
        exchange = ex;
        ex.head = request;
        ctx.pipeline().fireUserEventTriggered(ExchangeStarted.INSTANCE);

        if (request.decoderResult().isFailure()) {
            // RFC 9112: a request we cannot frame exactly is answered and the connection closed, so that nothing
            // after it can be read as a second request (smuggling).
            Throwable cause = request.decoderResult().cause();
            ex.requestComplete = true;
            ex.clientKeepAlive = false;
            respondError(ex, statusOf(cause), messageOf(cause), Outcome.REJECTED);
            return;
        }
        ex.clientKeepAlive = request.isKeepAlive() && !proxy.isDraining();
        ex.requestChunked = request.isChunked();
        ex.requestHasBody = !request.isBodyless();
        // A bodiless request is the head alone: the decoder sends no content after it.
        ex.requestComplete = !ex.requestHasBody;

        RequestTarget target = RequestTarget.parse(request.uri());
        if (target == null) {
            ex.clientKeepAlive = false;
            respondError(ex, HttpResponseStatus.BAD_REQUEST, "invalid request target", Outcome.REJECTED);
            return;
        }
        ex.path = target.path();
        int host = fields.indexOf(HOST);
        if (request.protocolVersion() == HttpVersion.HTTP_1_1 && host < 0) {
            ex.clientKeepAlive = false;
            respondError(ex, HttpResponseStatus.BAD_REQUEST, "missing Host header (RFC 9112 section 3.2)",
                    Outcome.REJECTED);
            return;
        }
        long maxBody = config.limits().maxRequestBodySize();
        if (request.contentLength() > maxBody) {
            ex.clientKeepAlive = false;
            respondError(ex, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes", Outcome.REJECTED);
            return;
        }

        Route route = snapshot.routes().route(request.method(), target.path(), fields);
        if (route == null) {
            respondError(ex, HttpResponseStatus.NOT_FOUND, "no route matches " + request.method() + " " + ex.path,
                    Outcome.REJECTED);
            return;
        }
        ex.route = route;
        ex.target = target;
        String chosen = chooseBackend(route, fields, config, ex);
        if (chosen == null) {
            return;
        }
        RateLimiter limiter = proxy.guards().rateLimiter(route.name());
        if (limiter != null && !limiter.acquirePermission()) {
            ex.retryAfterSeconds = 1;
            countRejection(ex, chosen, "rate_limited");
            bindMetrics(ex, route.name(), chosen);
            respondError(ex, HttpResponseStatus.TOO_MANY_REQUESTS, "route '" + route.name() + "' is limited to "
                    + route.config().rateLimit().requestsPerSecond() + " requests per second", Outcome.REJECTED);
            return;
        }
        if (!admit(ex, chosen)) {
            return;
        }
        if (route.config().timeout() != null) {
            armDeadline(ex, route.config().timeout().toNanos());
        }

        if (request.expectsContinue()) {
            // We answer 100 Continue ourselves and stream the body as it comes, as nginx does; the backend never
            // sees the expectation, so it never sends an interim response we would have to relay.
            ctx.writeAndFlush(Http1Writer.continueResponse(), ctx.voidPromise());
        }
        ex.websocket = request.isWebSocketUpgrade();
        ex.clientHost = host < 0 ? null : fields.value(host);
        if (route.config().mirror() != null && !ex.websocket) {
            ex.mirror = proxy.mirrors().start(ctx.channel().eventLoop(), config, route.config(), ex.backend,
                    request.method(), upstreamUri(ex), shadowHead(request, ex), Math.max(0, request.contentLength()));
            if (ex.mirror != null && ex.requestComplete) {
                ex.mirror.onRequestComplete();
            }
        }
        acquire(ex);
    }

    /**
     * Takes the backend's guard permits, falling back to the route's fallback backend for a safe request when the
     * backend is down, its circuit open or its bulkhead full. False after answering 503.
     */
    private boolean admit(Exchange ex, String backendName) {
        GatewayConfig config = ex.config;
        UpstreamGuard guard = proxy.guards().guard(backendName);
        UpstreamGuard.Admission admission = guard.admit();
        if (admission == UpstreamGuard.Admission.ADMITTED) {
            ex.guard = guard;
            ex.sent = false;
            ex.backend = config.backend(backendName);
            bindMetrics(ex, ex.route.name(), backendName);
            return true;
        }
        String fallback = fallbackFor(ex, backendName);
        if (fallback != null) {
            ex.fellBack = true;
            countFallback(ex, backendName, fallback, admission.reason());
            return admit(ex, fallback);
        }
        countRejection(ex, backendName, admission.reason());
        bindMetrics(ex, ex.route.name(), backendName);
        String why = switch (admission) {
            case CIRCUIT_OPEN -> "circuit is open";
            case BULKHEAD_FULL -> "has " + guard.config().maxConcurrent() + " requests in flight, its limit";
            default -> "is failing its health checks";
        };
        ex.retryAfterSeconds = admission == UpstreamGuard.Admission.CIRCUIT_OPEN ? guard.retryAfterSeconds() : 1;
        respondError(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, "backend '" + backendName + "' " + why,
                Outcome.OVERLOADED);
        return false;
    }

    /** The route's fallback, if this exchange may use it: once, for a safe request without a body. */
    private @Nullable String fallbackFor(Exchange ex, String failed) {
        String fallback = ex.route == null ? null : ex.route.config().fallback();
        if (fallback == null || fallback.equals(failed) || ex.fellBack || ex.requestHasBody || ex.websocket
                || !isSafe(ex.method)) {
            return null;
        }
        return fallback;
    }

    private static boolean isSafe(HttpMethod method) {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS);
    }

    /** Leaves the current backend before any byte was sent to it: its permits back, its in-flight count down. */
    private void leaveBackend(Exchange ex, boolean failed) {
        if (ex.guard != null) {
            ex.guard.complete(failed, failed, System.nanoTime() - ex.startNanos);
            ex.guard = null;
        }
        if (ex.metrics != null) {
            ex.metrics.abandoned();
            ex.metrics = null;
        }
    }

    private void countFallback(Exchange ex, String from, String to, String reason) {
        GatewayMetrics metrics = proxy.metrics();
        if (metrics != null) {
            metrics.fallback(ex.route.name(), from, to, reason);
        }
    }

    private void countRejection(Exchange ex, String backend, String reason) {
        GatewayMetrics metrics = proxy.metrics();
        if (metrics != null) {
            metrics.rejection(ex.route.name(), backend, reason);
        }
    }

    private void armDeadline(Exchange ex, long nanos) {
        ex.deadline = context().executor().schedule(() -> {
            if (exchange == ex && !ex.responseComplete) {
                failExchange(ex, HttpResponseStatus.GATEWAY_TIMEOUT, "route '" + ex.route.name()
                        + "' did not complete within its deadline of " + nanos / 1_000_000 + " ms", ex.responseStarted
                        ? Outcome.ABORTED : Outcome.TIMEOUT);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The route's backend for this request: the override header's when enabled and valid, else the split's choice.
     * Null after answering 400 to an override naming a backend the route does not have.
     */
    private @Nullable String chooseBackend(Route route, HeadFields headers, GatewayConfig config, Exchange ex) {
        String overrideHeader = config.traffic().overrideHeader();
        if (overrideHeader != null) {
            String wanted = headers.get(overrideHeader);
            if (wanted != null) {
                if (!route.split().serves(wanted)) {
                    respondError(ex, HttpResponseStatus.BAD_REQUEST, overrideHeader + ": '" + wanted
                            + "' does not serve route '" + route.name() + "' (expected: one of "
                            + route.split().backends() + ")", Outcome.REJECTED);
                    return null;
                }
                return wanted;
            }
        }
        return route.split().choose(headers, clientAddress());
    }

    private void onRequestContent(HttpContent content) {
        Exchange ex = exchange;
        if (ex == null || ex.requestComplete) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            // Bad chunk framing: nothing after it can be trusted.
            content.release();
            ex.requestComplete = true;
            ex.clientKeepAlive = false;
            failExchange(ex, HttpResponseStatus.BAD_REQUEST, messageOf(content.decoderResult().cause()),
                    Outcome.REJECTED);
            return;
        }
        if (ex.discardingBody || ex.connection == null) {
            content.release();
            if (last) {
                ex.requestComplete = true;
                maybeFinish(ex);
            } else {
                requestClientRead();
            }
            return;
        }
        ex.bytesIn += content.content().readableBytes();
        long maxBody = ex.config.limits().maxRequestBodySize();
        if (ex.bytesIn > maxBody) {
            content.release();
            ex.requestComplete = true;
            ex.clientKeepAlive = false;
            failExchange(ex, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + maxBody + " bytes", Outcome.REJECTED);
            return;
        }
        Channel upstream = ex.connection.channel();
        ex.upstreamFlushPending = false;
        if (ex.mirror != null) {
            ex.mirror.onRequestContent(content); // copies; the content itself goes upstream below
            if (last) {
                ex.mirror.onRequestComplete();
            }
        }
        // Ownership of the content passes to the upstream channel; a failed write surfaces as onUpstreamError.
        writeBody(upstream, content, ex.requestChunked, last);
        upstream.flush();
        if (last) {
            ex.requestComplete = true;
            maybeFinish(ex);
        } else if (upstream.isWritable()) {
            readClient(ex);
        } else {
            ex.clientReadPaused = true;
        }
    }

    /**
     * The head a shadow request gets: what the backend gets, written by the same byte writer, but with the client's
     * Host (the shadow stands in for the client's request), no Expect (its body is buffered whole) and the shadow
     * marker, under the base path of the backend it goes to. The request head is immutable and the values are
     * taken now, so the mirror may write it later; nothing is built for a request the mirror leaves out.
     */
    private ShadowHead shadowHead(RequestHead request, Exchange ex) {
        HeaderNames names = headerNames(ex.config);
        String target = ex.target.toUri();
        String clientHost = ex.clientHost;
        String clientAddress = clientAddress();
        String requestId = ex.requestId;
        return (alloc, backend, bodyLength) -> Http1Writer.shadowRequestHead(alloc, request,
                underBasePath(backend, target), new Http1Writer.RequestEdits(clientHost, clientAddress, clientHost,
                        names.requestId, requestId, false, names.override, SHADOW, true), bodyLength);
    }

    /** The request target for the exchange's current backend: its base path, then the normalised target. */
    private static String upstreamUri(Exchange ex) {
        return underBasePath(ex.backend, ex.target.toUri());
    }

    private static String underBasePath(BackendConfig backend, String target) {
        String basePath = backend.basePath();
        return basePath.isEmpty() ? target : basePath + target;
    }

    /** The head for the exchange's current backend, as bytes. */
    private ByteBuf upstreamHead(Exchange ex, ByteBufAllocator alloc) {
        ProxyConfig proxyConfig = ex.config.proxy();
        HeaderNames names = headerNames(ex.config);
        String host = proxyConfig.preserveHost() && ex.clientHost != null ? ex.clientHost : ex.backend.authority();
        return Http1Writer.upstreamRequestHead(alloc, ex.head, upstreamUri(ex), new Http1Writer.RequestEdits(
                host, clientAddress(), ex.clientHost, names.requestId, ex.requestId, ex.websocket, names.override,
                SHADOW, ex.head.expectsContinue()));
    }

    /** The client's address as text; fixed for the connection, so worked out once. */
    private @Nullable String clientAddress() {
        if (clientAddress == null) {
            SocketAddress remote = context().channel().remoteAddress();
            if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
                clientAddress = inet.getAddress().getHostAddress();
            }
        }
        return clientAddress;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connecting upstream

    private void acquire(Exchange ex) {
        ChannelHandlerContext ctx = context();
        BackendConfig backend = ex.backend;
        UpstreamPool pool = proxy.pools().pool(ctx.channel().eventLoop(), backend);
        Future<PooledConnection> acquired = pool.acquire();
        if (acquired.isDone()) {
            // An idle pooled connection, in the same event-loop turn as the request head: no clock read needed.
            ex.acquiredAtOnce = !ex.retried && ex.attempts == 1 && !ex.fellBack;
            onAcquired(ex, acquired);
        } else {
            ex.acquiredAtOnce = false;
            ex.acquiring = acquired;
            acquired.addListener(f -> onAcquired(ex, acquired));
        }
    }

    private void onAcquired(Exchange ex, Future<PooledConnection> acquired) {
        ex.acquiring = null;
        if (exchange != ex || !context().channel().isActive()) {
            if (acquired.isSuccess()) {
                acquired.getNow().release(true); // never used: still clean
            }
            return;
        }
        if (!acquired.isSuccess()) {
            Throwable cause = acquired.cause();
            if (cause instanceof PoolExhaustedException) {
                respondError(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage(), Outcome.OVERLOADED);
                return;
            }
            ex.sent = true; // a connection attempt is a call: the circuit breaker counts its failure
            if (retryOrFallBack(ex, cause)) {
                return;
            } else if (cause instanceof ConnectTimeoutException) {
                respondError(ex, HttpResponseStatus.GATEWAY_TIMEOUT,
                        "backend '" + ex.backend.name() + "' did not accept a connection within "
                                + ex.backend.connectTimeout().toMillis() + " ms", Outcome.TIMEOUT);
            } else {
                respondError(ex, HttpResponseStatus.BAD_GATEWAY,
                        "backend '" + ex.backend.name() + "' refused the connection", Outcome.REFUSED);
            }
            return;
        }
        PooledConnection connection = acquired.getNow();
        ex.connection = connection;
        ex.sent = true;
        connection.bind(this);
        Channel upstream = connection.channel();
        connection.writeRequestHead(ex.method, upstreamHead(ex, upstream.alloc()));
        ex.requestSentNanos = ex.acquiredAtOnce ? ex.startNanos : System.nanoTime();
        ex.lastUpstreamActivityNanos = ex.requestSentNanos;
        armTimeout(ex);
        if (ex.requestComplete) {
            // A retry: the request had no body and was read whole already.
            upstream.flush();
        } else {
            ex.upstreamFlushPending = true;
            // The body (for most requests just the empty last content, already decoded) follows the head; if it is
            // there now, it is written and flushed with the head in one go.
            readClient(ex);
            if (ex.upstreamFlushPending && exchange == ex) {
                ex.upstreamFlushPending = false;
                upstream.flush();
            }
        }
        if (exchange == ex && !ex.responseComplete) {
            upstream.read();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Response side

    /**
     * After a connect failure nothing reached the backend, so the request can go again: to the same backend after a
     * backoff, if its method may be retried and the retry budget allows, or else to the route's fallback. True when
     * one of those is under way.
     */
    private boolean retryOrFallBack(Exchange ex, Throwable cause) {
        UpstreamGuard guard = ex.guard;
        String backend = ex.backend.name();
        boolean timeout = cause instanceof ConnectTimeoutException;
        var retry = ex.backend.resilience().retry();
        if (guard != null && ex.attempts < retry.maxAttempts() && retry.methods().contains(ex.method.name())
                && guard.retryBudget().tryRetry()) {
            // Full jitter: a random wait up to the exponential bound, so retries from many clients spread out.
            long bound = Math.min(retry.maxBackoff().toNanos(), retry.backoff().toNanos() << (ex.attempts - 1));
            long delay = java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1);
            ex.attempts++;
            GatewayMetrics metrics = proxy.metrics();
            if (metrics != null) {
                metrics.retry(backend, timeout ? "connect_timeout" : "connect_refused");
            }
            guard.complete(true, true, System.nanoTime() - ex.startNanos);
            ex.guard = null;
            context().executor().schedule(() -> {
                if (exchange != ex) {
                    return;
                }
                UpstreamGuard.Admission again = proxy.guards().guard(backend).admit();
                if (again == UpstreamGuard.Admission.ADMITTED) {
                    ex.guard = proxy.guards().guard(backend);
                    ex.sent = false;
                    acquire(ex);
                } else {
                    countRejection(ex, backend, again.reason());
                    respondError(ex, HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "backend '" + backend + "' refused the connection, then its " + again.reason(),
                            Outcome.REFUSED);
                }
            }, delay, TimeUnit.NANOSECONDS);
            return true;
        }
        String fallback = fallbackFor(ex, backend);
        if (fallback == null) {
            return false;
        }
        leaveBackend(ex, true);
        ex.fellBack = true;
        countFallback(ex, backend, fallback, timeout ? "connect_timeout" : "connect_refused");
        if (!admit(ex, fallback)) {
            return true; // answered 503
        }
        acquire(ex);
        return true;
    }

    @Override
    public void onUpstreamMessage(Object message) {
        Exchange ex = exchange;
        if (ex == null || ex.connection == null || ex.responseComplete) {
            ReferenceCountUtil.release(message);
            return;
        }
        long now = upstreamReadNanos;
        if (now == 0) {
            now = System.nanoTime();
            upstreamReadNanos = now;
        }
        ex.lastUpstreamActivityNanos = now;
        if (message instanceof HttpResponse response) {
            if (message instanceof HttpContent) {
                // Only the decoder's placeholder for an unparseable response is a "full" response here.
                ReferenceCountUtil.release(message);
                failExchange(ex, HttpResponseStatus.BAD_GATEWAY,
                        "backend '" + ex.backend.name() + "' sent an invalid response", Outcome.REFUSED);
                return;
            }
            onResponseHead(ex, response);
        } else if (message instanceof HttpContent content) {
            onResponseContent(ex, content);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void onResponseHead(Exchange ex, HttpResponse message) {
        if (message.decoderResult().isFailure() || !(message instanceof ResponseHead response)) {
            failExchange(ex, HttpResponseStatus.BAD_GATEWAY,
                    "backend '" + ex.backend.name() + "' sent an invalid response", Outcome.REFUSED);
            return;
        }
        int code = response.code();
        if (code == 101) {
            if (ex.websocket) {
                startTunnel(ex, response);
            } else {
                failExchange(ex, HttpResponseStatus.BAD_GATEWAY,
                        "backend '" + ex.backend.name() + "' switched protocols unasked", Outcome.REFUSED);
            }
            return;
        }
        if (ex.metrics != null) {
            ex.metrics.firstByte(ex.lastUpstreamActivityNanos - ex.requestSentNanos);
        }
        if (code < 200) {
            // An interim response (103 Early Hints and the like): dropped, with the empty content that ends it.
            ex.skipInterimLast = true;
            return;
        }
        if (!response.isKeepAlive()) {
            ex.upstreamReusable = false;
        }
        boolean bodyless = ex.method.equals(HttpMethod.HEAD) || code == 204 || code == 304;
        if (!bodyless && !response.isChunked() && response.contentLength() < 0) {
            // Delimited by the backend closing the connection: the connection dies with the response, and the
            // client gets chunked framing (HTTP/1.1) or the same close-delimited body (HTTP/1.0).
            ex.upstreamReusable = false;
            if (ex.clientHttp10) {
                ex.closeClient = true;
            } else {
                ex.chunkToClient = true;
            }
        } else if (!bodyless && response.isChunked()) {
            // De-chunked by the decoder; chunked again for HTTP/1.1, and for HTTP/1.0 sent as is, ended by closing.
            if (ex.clientHttp10) {
                ex.closeClient = true;
            } else {
                ex.chunkToClient = true;
            }
        }
        AsciiString connection = null;
        if (!ex.clientKeepAlive || ex.closeClient || proxy.isDraining()) {
            ex.closeClient = true;
            connection = HttpHeaderValues.CLOSE;
        } else if (ex.clientHttp10) {
            connection = HttpHeaderValues.KEEP_ALIVE;
        }
        ex.status = code;
        ex.responseStarted = true;
        ex.clientFlushPending = true;
        if (ex.mirror != null) {
            ex.mirror.onPrimaryHead(response);
        }
        ChannelHandlerContext ctx = context();
        HeaderNames names = headerNames(ex.config);
        long length = response.contentLength();
        boolean smallBody = !bodyless && !ex.chunkToClient && length > 0 && length <= HELD_BODY_MAX;
        ByteBuf head = Http1Writer.responseHead(ctx.alloc(), response, new Http1Writer.ResponseEdits(
                ex.chunkToClient, connection, false, names.backend, ex.backend.name(), names.requestId,
                ex.requestId), smallBody ? (int) length : 0);
        if (smallBody) {
            ex.heldHead = head; // the body follows, most often in this same read
        } else {
            // Flushed on read complete, together with whatever body this read brought.
            ctx.write(head, ctx.voidPromise());
        }
    }

    /** Writes a held-back response head, if any, ahead of whatever comes next. */
    private static void writeHeldHead(Exchange ex, ChannelHandlerContext ctx) {
        ByteBuf head = ex.heldHead;
        if (head != null) {
            ex.heldHead = null;
            ctx.write(head, ctx.voidPromise());
        }
    }

    /**
     * Writes a body part to a channel without an HTTP encoder, in chunked framing when asked. Takes ownership of
     * {@code content}; the trailer fields of a last chunk are not forwarded.
     */
    private static void writeBody(Channel channel, HttpContent content, boolean chunked, boolean last) {
        ByteBuf data = content.content();
        int size = data.readableBytes();
        if (size == 0) {
            content.release();
        } else if (chunked) {
            channel.write(Http1Writer.chunkHeader(channel.alloc(), size), channel.voidPromise());
            channel.write(data, channel.voidPromise());
            channel.write(Http1Writer.chunkEnd(), channel.voidPromise());
        } else {
            channel.write(data, channel.voidPromise());
        }
        if (last && chunked) {
            channel.write(Http1Writer.lastChunk(), channel.voidPromise());
        }
    }

    /** Config header names as lower-case ASCII, worked out once per config this connection sees. */
    private HeaderNames headerNames(GatewayConfig config) {
        HeaderNames current = headerNames;
        if (current == null || current.config != config) {
            current = new HeaderNames(config);
            headerNames = current;
        }
        return current;
    }

    private static final class HeaderNames {
        final GatewayConfig config;
        final AsciiString requestId;
        final @Nullable AsciiString backend;
        final @Nullable AsciiString override;

        HeaderNames(GatewayConfig config) {
            this.config = config;
            ProxyConfig proxy = config.proxy();
            this.requestId = lower(proxy.requestIdHeader());
            this.backend = proxy.backendHeader() == null ? null : lower(proxy.backendHeader());
            this.override = config.traffic().overrideHeader() == null ? null
                    : lower(config.traffic().overrideHeader());
        }

        private static AsciiString lower(String name) {
            return AsciiString.of(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void onResponseContent(Exchange ex, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (ex.skipInterimLast && last) {
            ex.skipInterimLast = false;
            content.release();
            return;
        }
        if (content.decoderResult().isFailure() || !ex.responseStarted) {
            // The backend closed or broke the framing mid-body: the client must not take a short body as whole.
            content.release();
            failExchange(ex, HttpResponseStatus.BAD_GATEWAY,
                    "backend '" + ex.backend.name() + "' broke off the response", Outcome.ABORTED);
            return;
        }
        ex.bytesOut += content.content().readableBytes();
        ChannelHandlerContext ctx = context();
        if (ex.mirror != null) {
            ex.mirror.onPrimaryContent(content);
            if (last) {
                ex.mirror.onPrimaryComplete(ex.lastUpstreamActivityNanos - ex.requestSentNanos);
            }
        }
        ByteBuf held = ex.heldHead;
        if (held != null && last && content.content().readableBytes() <= held.writableBytes()) {
            // The whole small body: copied in after the head, so both leave in one buffer.
            ex.heldHead = null;
            held.writeBytes(content.content());
            content.release();
            ctx.write(held, ctx.voidPromise());
        } else {
            writeHeldHead(ex, ctx);
            writeBody(ctx.channel(), content, ex.chunkToClient, last);
        }
        if (last) {
            ex.responseComplete = true;
            ex.clientFlushPending = false;
            ctx.flush();
            maybeFinish(ex);
            return;
        }
        ex.clientFlushPending = true;
    }

    @Override
    public void onUpstreamReadComplete() {
        upstreamReadNanos = 0;
        Exchange ex = exchange;
        if (ex == null || ex.responseComplete) {
            return;
        }
        if (ex.clientFlushPending) {
            ex.clientFlushPending = false;
            writeHeldHead(ex, context());
            context().flush();
        }
        // Read on only while the client keeps up; otherwise wait for its writability to come back.
        if (context().channel().isWritable()) {
            readUpstream(ex);
        } else {
            ex.upstreamReadPaused = true;
        }
    }

    @Override
    public void onUpstreamClosed() {
        upstreamReadNanos = 0;
        Exchange ex = exchange;
        if (ex == null || ex.responseComplete) {
            return;
        }
        upstreamFailed(ex, "closed the connection");
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        upstreamReadNanos = 0;
        Exchange ex = exchange;
        if (ex == null || ex.responseComplete) {
            return;
        }
        log.debug("upstream error on {}", ex.requestId, cause);
        upstreamFailed(ex, "failed: " + cause.getClass().getSimpleName());
    }

    private void upstreamFailed(Exchange ex, String what) {
        if (!ex.responseStarted && canRetry(ex)) {
            // A reused keep-alive connection the backend had already closed: the request never reached it.
            ex.retried = true;
            PooledConnection stale = ex.connection;
            ex.connection = null;
            stale.release(false);
            acquire(ex);
            return;
        }
        failExchange(ex, HttpResponseStatus.BAD_GATEWAY,
                "backend '" + ex.backend.name() + "' " + what + " before the response was complete",
                ex.responseStarted ? Outcome.ABORTED : Outcome.REFUSED);
    }

    /**
     * Only a request that cannot have had an effect is sent again: an idempotent method with no body, on a reused
     * connection (a fresh one failing means the backend is down), once, and before any response byte.
     */
    private static boolean canRetry(Exchange ex) {
        return !ex.retried && ex.connection != null && ex.connection.isReused() && ex.requestComplete
                && !ex.requestHasBody && !ex.websocket
                && (ex.method.equals(HttpMethod.GET) || ex.method.equals(HttpMethod.HEAD)
                || ex.method.equals(HttpMethod.OPTIONS));
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        Exchange ex = exchange;
        if (ex != null && writable && ex.clientReadPaused) {
            ex.clientReadPaused = false;
            readClient(ex);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        if (ex != null && ctx.channel().isWritable() && ex.upstreamReadPaused) {
            ex.upstreamReadPaused = false;
            readUpstream(ex);
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Timeouts

    /**
     * The response timeout. One timer per connection, not per exchange: it is armed when an exchange needs it and
     * is not already due soon enough, and when it fires it checks the exchange in flight and re-arms for the rest.
     * A keep-alive connection thus schedules nothing per request.
     */
    private void armTimeout(Exchange ex) {
        long timeoutNanos = ex.backend.responseTimeout().toNanos();
        long deadline = ex.requestSentNanos + timeoutNanos;
        if (responseTimer != null && responseTimerAt <= deadline) {
            return;
        }
        if (responseTimer != null) {
            responseTimer.cancel(false);
        }
        scheduleResponseTimer(timeoutNanos, ex.requestSentNanos);
    }

    private void scheduleResponseTimer(long delayNanos, long nowNanos) {
        responseTimerAt = nowNanos + delayNanos;
        responseTimer = context().executor().schedule(this::onResponseTimer, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void onResponseTimer() {
        responseTimer = null;
        Exchange ex = exchange;
        if (ex == null || ex.connection == null || ex.responseComplete || !context().channel().isActive()) {
            return; // nothing waits on a backend; the next exchange arms it again
        }
        long timeoutNanos = ex.backend.responseTimeout().toNanos();
        long now = System.nanoTime();
        long idleNanos = now - ex.lastUpstreamActivityNanos;
        if (ex.upstreamReadPaused || idleNanos < timeoutNanos) {
            // Waiting on the client is not the backend's fault.
            scheduleResponseTimer(ex.upstreamReadPaused ? timeoutNanos : timeoutNanos - idleNanos, now);
            return;
        }
        failExchange(ex, HttpResponseStatus.GATEWAY_TIMEOUT,
                "backend '" + ex.backend.name() + "' did not answer within "
                        + ex.backend.responseTimeout().toMillis() + " ms",
                ex.responseStarted ? Outcome.ABORTED : Outcome.TIMEOUT);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Ending an exchange

    /**
     * Fails an exchange: before the response started, the client gets a JSON error; after, the client connection is
     * closed, the only honest way to say the body is incomplete.
     */
    private void failExchange(Exchange ex, HttpResponseStatus status, String message, Outcome outcome) {
        ex.upstreamReusable = false;
        if (!ex.responseStarted) {
            respondError(ex, status, message, outcome);
            return;
        }
        ex.outcome = outcome;
        ex.closeClient = true;
        ex.responseComplete = true;
        ex.requestComplete = true;
        finish(ex);
        context().close();
    }

    /** Answers with Tandem's own error response, then ends the exchange. */
    private void respondError(Exchange ex, HttpResponseStatus status, String message, Outcome outcome) {
        ChannelHandlerContext ctx = context();
        if (ex.metrics == null) {
            bindMetrics(ex, GatewayMetrics.UNMATCHED, GatewayMetrics.NO_BACKEND);
        }
        if (ex.acquiring != null) {
            ex.acquiring.cancel(false);
            ex.acquiring = null;
        }
        releaseConnection(ex, false);
        if (!ex.requestComplete) {
            if (ex.requestHasBody) {
                // Unread body bytes would be taken for the next request: close instead of draining them.
                ex.clientKeepAlive = false;
            } else {
                // Just the empty last content is left: read and drop it, and the connection lives on.
                ex.discardingBody = true;
            }
        }
        boolean close = !ex.clientKeepAlive || proxy.isDraining();
        ex.closeClient |= close;
        ex.status = status.code();
        ex.outcome = outcome;
        ex.responseStarted = true;
        ex.responseComplete = true;
        ProxyConfig proxyConfig = ex.config.proxy();
        FullHttpResponse response = ErrorResponses.of(ctx.alloc(), status, message, ex.requestId,
                proxyConfig.requestIdHeader(), ex.closeClient);
        if (ex.retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, ex.retryAfterSeconds);
        }
        ctx.writeAndFlush(Http1Writer.response(ctx.alloc(), response), ctx.voidPromise());
        if (ex.discardingBody && !ex.closeClient) {
            readClient(ex);
        } else {
            ex.requestComplete = true;
            maybeFinish(ex);
        }
    }

    private void maybeFinish(Exchange ex) {
        if (exchange != ex || !ex.responseComplete) {
            return;
        }
        if (!ex.requestComplete) {
            // The backend answered before the whole body arrived: the rest of the body is unread, so neither
            // connection can carry another exchange.
            ex.upstreamReusable = false;
            ex.closeClient = true;
        }
        finish(ex);
    }

    private void finish(Exchange ex) {
        ChannelHandlerContext ctx = context();
        long now = upstreamReadNanos != 0 ? upstreamReadNanos : System.nanoTime();
        upstreamReadNanos = 0;
        exchange = null;
        if (ex.heldHead != null) {
            // The exchange failed between the head and its body: the client connection is closed, head unsent.
            ex.heldHead.release();
            ex.heldHead = null;
        }
        if (ex.mirror != null) {
            ex.mirror.abandon(); // a no-op once the primary completed; otherwise the shadow is not compared
        }
        if (ex.deadline != null) {
            ex.deadline.cancel(false);
        }
        releaseConnection(ex, ex.upstreamReusable);
        Outcome outcome = ex.outcome != null ? ex.outcome : Outcome.ofStatus(ex.status);
        if (ex.guard != null) {
            boolean failed = ex.status >= 500 || outcome == Outcome.REFUSED || outcome == Outcome.TIMEOUT
                    || outcome == Outcome.ABORTED;
            ex.guard.complete(ex.sent, failed, now - ex.startNanos);
            ex.guard = null;
        }
        ctx.pipeline().fireUserEventTriggered(new ExchangeCompleted(ex.requestId,
                ex.route == null ? null : ex.route.name(), ex.backend == null ? null : ex.backend.name(),
                ex.method.name(), ex.path, ex.status, outcome, now - ex.startNanos, ex.bytesIn,
                ex.bytesOut, ex.metrics, now));
        if (!ctx.channel().isActive()) {
            return;
        }
        if (ex.closeClient || proxy.isDraining()) {
            Channels.closeOnFlush(ctx.channel());
        } else {
            requestClientRead();
        }
    }

    private void bindMetrics(Exchange ex, String route, String backend) {
        GatewayMetrics metrics = proxy.metrics();
        if (metrics != null) {
            ex.metrics = metrics.pair(route, backend);
            ex.metrics.started();
        }
    }

    private static void releaseConnection(Exchange ex, boolean reusable) {
        PooledConnection connection = ex.connection;
        if (connection != null) {
            ex.connection = null;
            connection.release(reusable);
        }
    }

    private void readClient(Exchange ex) {
        if (exchange == ex) {
            requestClientRead();
        }
    }

    /** Asks for the next client message; the decoder keeps asking the socket until a whole one is there. */
    private void requestClientRead() {
        context().read();
    }

    private void readUpstream(Exchange ex) {
        if (ex.connection != null) {
            ex.connection.channel().read();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // WebSocket

    /**
     * The backend accepted the upgrade: relay the 101, then turn both connections into a byte tunnel. The upstream
     * connection leaves the pool for good.
     */
    private void startTunnel(Exchange ex, ResponseHead response) {
        ChannelHandlerContext ctx = context();
        PooledConnection connection = ex.connection;
        ex.connection = null;
        connection.detach();
        Channel client = ctx.channel();
        Channel upstream = connection.channel();
        HeaderNames names = headerNames(ex.config);
        ByteBuf head = Http1Writer.responseHead(ctx.alloc(), response, new Http1Writer.ResponseEdits(
                false, null, true, names.backend, ex.backend.name(), names.requestId, ex.requestId));
        ex.status = 101;
        ex.responseStarted = true;
        ex.responseComplete = true;
        ex.requestComplete = true;
        ctx.writeAndFlush(head, ctx.voidPromise());
        exchange = null;
        if (ex.deadline != null) {
            ex.deadline.cancel(false); // a deadline covers the handshake, not the life of the WebSocket
        }
        long now = System.nanoTime();
        if (ex.guard != null) {
            ex.guard.complete(true, false, now - ex.startNanos);
            ex.guard = null;
        }
        ctx.pipeline().fireUserEventTriggered(new ExchangeCompleted(ex.requestId, ex.route.name(),
                ex.backend.name(), ex.method.name(), ex.path, 101, Outcome.SUCCESS,
                now - ex.startNanos, ex.bytesIn, ex.bytesOut, ex.metrics, now));

        ChannelPipeline upstreamPipeline = upstream.pipeline();
        upstreamPipeline.addLast(HandlerNames.TUNNEL, new TunnelHandler(client));
        upstreamPipeline.remove(HandlerNames.UPSTREAM_RESPONSE);
        upstreamPipeline.remove(HandlerNames.UPSTREAM_CODEC);

        ChannelPipeline clientPipeline = client.pipeline();
        clientPipeline.addLast(HandlerNames.TUNNEL, new TunnelHandler(upstream));
        clientPipeline.remove(this);
        clientPipeline.remove(HandlerNames.CLIENT_TIMEOUTS); // a WebSocket may stay quiet for as long as it likes
        clientPipeline.remove(HandlerNames.CLIENT_CODEC);
        client.read();
        upstream.read();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connection events

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE && exchange == null) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelResponseTimer();
    }

    /** The connection's timer must not outlive it: a scheduled task would keep the whole channel reachable. */
    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelResponseTimer();
        Exchange ex = exchange;
        if (ex != null) {
            if (ex.acquiring != null) {
                ex.acquiring.cancel(false);
                ex.acquiring = null;
            }
            ex.upstreamReusable = false;
            ex.outcome = Outcome.CLIENT_ABORT;
            ex.responseComplete = true;
            ex.requestComplete = true;
            finish(ex);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection error", cause);
        ctx.close();
    }

    private ChannelHandlerContext context() {
        ChannelHandlerContext current = ctx;
        if (current == null) {
            throw new IllegalStateException("handler not added");
        }
        return current;
    }

    private static HttpResponseStatus statusOf(@Nullable Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static String messageOf(@Nullable Throwable cause) {
        if (cause == null || cause.getMessage() == null) {
            return "malformed request";
        }
        return cause.getMessage();
    }
}
