package dev.tandem.http1;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * What a request head and a response head as received have in common: the version, the fields over the head's
 * own bytes, the decoder's verdict, and a Netty header map built only when something asks for {@link #headers()}.
 */
public abstract sealed class ReceivedHead implements HttpMessage permits RequestHead, ResponseHead {
    private HttpVersion version;
    final HeadFields fields;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;
    private @Nullable HttpHeaders headers;

    ReceivedHead(HttpVersion version, HeadFields fields) {
        this.version = version;
        this.fields = fields;
    }

    public HeadFields fields() {
        return fields;
    }

    @Override
    public HttpVersion protocolVersion() {
        return version;
    }

    @Override
    @Deprecated
    public HttpVersion getProtocolVersion() {
        return version;
    }

    @Override
    public HttpMessage setProtocolVersion(HttpVersion version) {
        this.version = version;
        return this;
    }

    @Override
    public HttpHeaders headers() {
        HttpHeaders current = headers;
        if (current == null) {
            current = fields.toHttpHeaders();
            headers = current;
        }
        return current;
    }

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = result;
    }
}
