package dev.tandem.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A client's request head as it arrived: method, target, version, the fields over the head's own bytes, and what the
 * decoder worked out (framing, keep-alive, expectations). It is an {@link HttpRequest} so that code off the hot path
 * (mirroring, tests) can read it as one; {@link #headers()} builds the map on first use.
 */
public final class RequestHead extends ReceivedHead implements HttpRequest {
    private HttpMethod method;
    private String uri;
    private final long contentLength;
    private final boolean chunked;
    private final boolean keepAlive;
    private final boolean expectContinue;
    private final boolean webSocketUpgrade;

    RequestHead(HttpMethod method, String uri, HttpVersion version, HeadFields fields, long contentLength,
            boolean chunked, boolean keepAlive, boolean expectContinue, boolean webSocketUpgrade) {
        super(version, fields);
        this.method = method;
        this.uri = uri;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.keepAlive = keepAlive;
        this.expectContinue = expectContinue;
        this.webSocketUpgrade = webSocketUpgrade;
    }

    /** A request that broke a rule; its only use is its failed {@link #decoderResult()}. */
    static RequestHead invalid(Throwable cause) {
        RequestHead head = new RequestHead(HttpMethod.GET, "/bad-request", HttpVersion.HTTP_1_1,
                new HeadFields(new byte[0], 0), -1, false, false, false, false);
        head.setDecoderResult(DecoderResult.failure(cause));
        return head;
    }

    /** The Content-Length, or -1 when there is none (or the body is chunked). */
    public long contentLength() {
        return contentLength;
    }

    public boolean isChunked() {
        return chunked;
    }

    /** No body follows: neither chunked nor a positive Content-Length. The decoder sends no content for it. */
    public boolean isBodyless() {
        return !chunked && contentLength <= 0;
    }

    /** The client keeps the connection (HTTP/1.1 without close, or 1.0 with keep-alive). */
    public boolean isKeepAlive() {
        return keepAlive;
    }

    /** {@code Expect: 100-continue}. */
    public boolean expectsContinue() {
        return expectContinue;
    }

    /** A GET with {@code Upgrade: websocket} and {@code Connection: upgrade}. */
    public boolean isWebSocketUpgrade() {
        return webSocketUpgrade;
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    @Deprecated
    public HttpMethod getMethod() {
        return method;
    }

    @Override
    public HttpRequest setMethod(HttpMethod method) {
        this.method = method;
        return this;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    @Deprecated
    public String getUri() {
        return uri;
    }

    @Override
    public HttpRequest setUri(String uri) {
        this.uri = uri;
        return this;
    }

    @Override
    public HttpRequest setProtocolVersion(HttpVersion version) {
        super.setProtocolVersion(version);
        return this;
    }

    @Override
    public String toString() {
        return "RequestHead(" + method + " " + uri + " " + protocolVersion() + ", " + fields.size() + " fields)";
    }
}
