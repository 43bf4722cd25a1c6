package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import dev.tandem.http1.ResponseHead;
import dev.tandem.upstream.PooledConnection;
import dev.tandem.upstream.UpstreamListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One shadow request: sent on a connection from the shadow pools (never the primary's), its response read whole up
 * to a limit and handed to a callback, with {@code null} on any failure. Runs on the client channel's event loop.
 */
final class ShadowCall implements UpstreamListener {

    private final EventLoop loop;
    private final BackendConfig backend;
    private final Done done;

    /** Called once, on the loop, with the response (null on any failure) and its latency. */
    @FunctionalInterface
    interface Done {
        void done(ResponseComparator.@Nullable Captured captured, long nanos);
    }

    private final List<String> comparedHeaders;
    private @Nullable PooledConnection connection;
    private @Nullable ScheduledFuture<?> timeout;
    private HttpMethod method = HttpMethod.GET;
    private int status;
    private Map<String, String> headers = Map.of();
    private final BoundedCopy body = new BoundedCopy(BoundedCopy.MAX_RESPONSE_BYTES);
    private boolean reusable = true;
    private boolean finished;
    private long startNanos;
    private long nanos;

    ShadowCall(EventLoop loop, BackendConfig backend, List<String> comparedHeaders, Done done) {
        this.loop = loop;
        this.backend = backend;
        this.comparedHeaders = comparedHeaders;
        this.done = done;
    }

    void send(Mirrors mirrors, HttpMethod method, ShadowHead head, byte[] requestBody) {
        this.method = method;
        if (ShadowLine.eligible(backend, method, requestBody.length)
                && mirrors.lines(loop, backend).send(this, head)) {
            return; // the line sets the start when it sends the request
        }
        startNanos = System.nanoTime();
        Future<PooledConnection> acquired = mirrors.shadowPools().pool(loop, backend).acquire();
        acquired.addListener(f -> {
            if (!acquired.isSuccess()) {
                finish(null);
                return;
            }
            PooledConnection conn = acquired.getNow();
            connection = conn;
            conn.bind(this);
            Channel channel = conn.channel();
            startNanos = System.nanoTime(); // like the primary's, the latency counts from the request write
            // The body was buffered whole: sent with its length, whatever framing the client used.
            conn.writeRequestHead(method, head.write(channel.alloc(), backend, requestBody.length));
            if (requestBody.length > 0) {
                channel.write(Unpooled.wrappedBuffer(requestBody), channel.voidPromise());
            }
            channel.flush();
            channel.read();
            timeout = loop.schedule(() -> {
                reusable = false;
                finish(null);
            }, backend.responseTimeout().toNanos(), TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public void onUpstreamMessage(Object message) {
        try {
            if (finished) {
                return;
            }
            if (message instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    reusable = false;
                    finish(null);
                    return;
                }
                status = ResponseHead.codeOf(response);
                if (response instanceof ResponseHead head && BoundedCopy.hasBody(method, status)) {
                    body.expect(head.contentLength());
                }
                reusable = response instanceof ResponseHead head ? head.isKeepAlive() : HttpUtil.isKeepAlive(response);
                headers = ResponseComparator.comparedFields(comparedHeaders, ResponseHead.fieldsOf(response));
            }
            if (message instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    reusable = false;
                    finish(null);
                    return;
                }
                body.append(content.content());
                if (content instanceof LastHttpContent) {
                    finish(new ResponseComparator.Captured(status, headers, body.toByteArray(), body.truncated()));
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (!finished && connection != null) {
            connection.channel().read();
        }
    }

    @Override
    public void onUpstreamClosed() {
        reusable = false;
        finish(null);
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        reusable = false;
        finish(null);
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        // The whole request is written at once; nothing to resume.
    }

    /** On a {@link ShadowLine}: the request was sent now; the latency counts from here. */
    void started(long nanos) {
        startNanos = nanos;
    }

    long startNanos() {
        return startNanos;
    }

    boolean isFinished() {
        return finished;
    }

    /** Whether the connection can carry another exchange after this one's answer. */
    boolean isReusable() {
        return reusable;
    }

    /** On a {@link ShadowLine}: the connection failed before the answer was whole. */
    void fail() {
        reusable = false;
        finish(null);
    }

    private void finish(ResponseComparator.@Nullable Captured captured) {
        if (finished) {
            return;
        }
        finished = true;
        nanos = System.nanoTime() - startNanos;
        if (timeout != null) {
            timeout.cancel(false);
        }
        PooledConnection conn = connection;
        connection = null;
        if (conn != null) {
            conn.release(reusable && captured != null);
        }
        done.done(captured, nanos);
    }
}
