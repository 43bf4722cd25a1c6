package dev.tandem.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A backend's response head as it arrived: the status, the fields over the head's own bytes, and the framing the
 * decoder worked out. It is an {@link HttpResponse} so that code off the hot path (mirroring, tests) can read it as
 * one; {@link #headers()} builds the map on first use, and the proxy path never calls it.
 */
public final class ResponseHead extends ReceivedHead implements HttpResponse {
    private final int code;
    private final int reasonStart;
    private final int reasonEnd;
    private final long contentLength;
    private final boolean chunked;
    private final boolean keepAlive;
    private @Nullable HttpResponseStatus status;

    ResponseHead(HttpVersion version, int code, int reasonStart, int reasonEnd, HeadFields fields,
            long contentLength, boolean chunked, boolean keepAlive) {
        super(version, fields);
        this.code = code;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.keepAlive = keepAlive;
    }

    /** A head that could not be parsed; its only use is its failed {@link #decoderResult()}. */
    static ResponseHead invalid(Throwable cause) {
        ResponseHead head = new ResponseHead(HttpVersion.HTTP_1_1, 502, 0, 0, new HeadFields(new byte[0], 0), -1,
                false, false);
        head.setDecoderResult(DecoderResult.failure(cause));
        return head;
    }

    /** The status code of any response, read from ours without building its {@link HttpResponseStatus}. */
    public static int codeOf(HttpResponse response) {
        return response instanceof ResponseHead head ? head.code : response.status().code();
    }

    /** The fields of any response, read in place when it is one of ours (no header map built). */
    public static HeaderLookup fieldsOf(HttpResponse response) {
        return response instanceof ResponseHead head ? head.fields : HeaderLookup.of(response.headers());
    }

    public int code() {
        return code;
    }

    /** The Content-Length, or -1 when the body is chunked or delimited by the connection closing. */
    public long contentLength() {
        return contentLength;
    }

    public boolean isChunked() {
        return chunked;
    }

    /** The backend keeps the connection open after this response (HTTP/1.1 without close, or 1.0 keep-alive). */
    public boolean isKeepAlive() {
        return keepAlive;
    }

    int reasonStart() {
        return reasonStart;
    }

    int reasonEnd() {
        return reasonEnd;
    }

    @Override
    public HttpResponseStatus status() {
        HttpResponseStatus current = status;
        if (current == null) {
            String reason = new String(fields.bytes(), reasonStart, reasonEnd - reasonStart,
                    StandardCharsets.ISO_8859_1);
            current = reason.isEmpty() ? HttpResponseStatus.valueOf(code) : new HttpResponseStatus(code, reason);
            status = current;
        }
        return current;
    }

    @Override
    @Deprecated
    public HttpResponseStatus getStatus() {
        return status();
    }

    @Override
    public HttpResponse setStatus(HttpResponseStatus status) {
        throw new UnsupportedOperationException("a received response head is read-only");
    }

    @Override
    public HttpResponse setProtocolVersion(HttpVersion version) {
        super.setProtocolVersion(version);
        return this;
    }

    @Override
    public String toString() {
        return "ResponseHead(" + protocolVersion() + " " + code + ", " + fields.size() + " fields)";
    }
}
