package dev.tandem.proxy;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.GatewayConfig;
import dev.tandem.metrics.PairMetrics;
import dev.tandem.resilience.UpstreamGuard;
import dev.tandem.routing.RequestTarget;
import dev.tandem.traffic.Mirror;
import dev.tandem.routing.Route;
import dev.tandem.upstream.PooledConnection;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import dev.tandem.http1.RequestHead;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * The state of one request/response exchange on a client connection. Touched only from the client channel's event
 * loop, so plain fields suffice.
 */
final class Exchange {
    /** The configuration the exchange started with; it keeps it to the end, whatever reloads happen meanwhile. */
    final GatewayConfig config;
    final String requestId;
    final long startNanos;
    final HttpMethod method;
    final boolean clientHttp10;
    /** The normalised path, or the raw URI when it could not be parsed. */
    String path;
    boolean clientKeepAlive;
    boolean requestHasBody;
    /** The request body is chunked: its parts go upstream in chunked framing again. */
    boolean requestChunked;
    /** The response body goes to the client in chunked framing. */
    boolean chunkToClient;

    @Nullable Route route;
    @Nullable BackendConfig backend;
    @Nullable RequestTarget target;
    @Nullable String clientHost;
    /** The chosen backend's protections; non-null while the exchange holds its admission. */
    @Nullable UpstreamGuard guard;
    /** A request head reached a backend's socket (so the circuit breaker counts the call). */
    boolean sent;
    /** Attempts on connect failures so far; the first is 1. */
    int attempts = 1;
    boolean fellBack;
    @Nullable ScheduledFuture<?> deadline;
    /** Seconds for a Retry-After header on Tandem's own error response, or 0 for none. */
    long retryAfterSeconds;
    /** The client's head; kept so that a retry or a fallback can write it again, for whichever backend. */
    @Nullable RequestHead head;
    boolean websocket;

    @Nullable Future<PooledConnection> acquiring;
    @Nullable PooledConnection connection;
    boolean retried;
    /** The head was written upstream but not flushed yet: flushed with the first body chunk or after read(). */
    boolean upstreamFlushPending;

    /** The client's LastHttpContent has been read (and forwarded, when a connection was bound). */
    boolean requestComplete;
    /** An error answered the request early; the rest of its (empty) body is read and dropped. */
    boolean discardingBody;
    boolean responseStarted;
    boolean responseComplete;
    /** The next LastHttpContent from upstream ends an interim (1xx) response and is dropped. */
    boolean skipInterimLast;
    boolean upstreamReusable = true;
    boolean closeClient;

    boolean clientReadPaused;
    boolean upstreamReadPaused;
    /** A response head was written to the client but not flushed yet. */
    boolean clientFlushPending;
    /**
     * The response head, held back for a small body to be copied in after it, so head and body leave in one buffer
     * (one plain send instead of a gathering one). Written at the latest when the read that brought it completes.
     */
    @Nullable ByteBuf heldHead;

    /** The shadow of this exchange, when its route mirrors it. */
    @Nullable Mirror mirror;
    /** Where this exchange records; null when metrics are off. */
    @Nullable PairMetrics metrics;
    long requestSentNanos;
    /** The connection came from the pool in the same turn as the head: the start time stands for the send time. */
    boolean acquiredAtOnce;
    long lastUpstreamActivityNanos;

    int status;
    @Nullable Outcome outcome;
    long bytesIn;
    long bytesOut;

    Exchange(GatewayConfig config, String requestId, HttpMethod method, String path, boolean clientHttp10) {
        this.config = config;
        this.requestId = requestId;
        this.startNanos = System.nanoTime();
        this.method = method;
        this.path = path;
        this.clientHttp10 = clientHttp10;
    }
}
