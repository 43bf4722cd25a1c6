package dev.tandem.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * The de-facto forwarding headers the backends read (Django's SECURE_PROXY_SSL_HEADER and USE_X_FORWARDED_HOST,
 * uvicorn's --proxy-headers). {@code X-Forwarded-For} gets the client address appended, as nginx's
 * {@code $proxy_add_x_forwarded_for} does: the backend trusts only the rightmost hop, the one we add.
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are what Tandem itself saw, replacing anything the client
 * sent, so a client cannot claim https or another host.
 */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");

    private ForwardedHeaders() {
    }

    /** Sets the X-Forwarded-* fields; once per exchange, whatever backend ends up serving it. */
    static void apply(HttpHeaders headers, @Nullable String clientAddress, @Nullable String clientHost) {
        if (clientAddress != null) {
            String previous = headers.get(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, previous == null || previous.isBlank()
                    ? clientAddress : previous + ", " + clientAddress);
        }
        headers.set(X_FORWARDED_PROTO, HTTP);
        if (clientHost != null) {
            headers.set(X_FORWARDED_HOST, clientHost);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
    }
}
