package dev.tandem.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Tandem's own error responses: small JSON bodies that name the problem and carry the request id, so a user can
 * find the access-log line. Shape: {@code {"error":"bad_gateway","status":502,"message":"...","request_id":"..."}}.
 */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String message,
            @Nullable String requestId, @Nullable String requestIdHeader, boolean close) {
        StringBuilder json = new StringBuilder(128)
                .append("{\"error\":\"").append(code(status)).append("\",\"status\":").append(status.code())
                .append(",\"message\":\"");
        appendEscaped(json, message);
        json.append('"');
        if (requestId != null) {
            json.append(",\"request_id\":\"");
            appendEscaped(json, requestId);
            json.append('"');
        }
        json.append("}\n");
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (requestId != null && requestIdHeader != null) {
            response.headers().set(requestIdHeader, requestId);
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** A stable machine-readable code: the reason phrase in snake case. */
    static String code(HttpResponseStatus status) {
        return status.reasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '_').replace("-", "_");
    }

    static void appendEscaped(StringBuilder out, CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
