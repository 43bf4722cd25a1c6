package dev.tandem.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes hop-by-hop fields (RFC 9110 section 7.6.1): they describe one connection and must not be forwarded.
 * First every field the {@code Connection} header names, then the fields that are always hop-by-hop.
 * {@code TE: trailers} survives (it is end-to-end in practice), as do {@code Upgrade} and {@code Connection: upgrade}
 * on a WebSocket handshake, which the tunnel needs. {@code Transfer-Encoding} is framing, handled by the codecs.
 */
final class HopByHopHeaders {
    private static final List<CharSequence> ALWAYS = List.of(
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TRAILER);

    private HopByHopHeaders() {
    }

    /**
     * Strips the hop-by-hop fields in place.
     *
     * @param keepUpgrade true for a WebSocket handshake: keep {@code Upgrade} and {@code Connection: upgrade}
     */
    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            String value = connection.get(i);
            int start = 0;
            while (start < value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String token = value.substring(start, end).trim();
                if (!token.isEmpty() && !(keepUpgrade && token.equalsIgnoreCase("upgrade"))
                        && !isFraming(token)) {
                    headers.remove(token);
                }
                start = end + 1;
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < ALWAYS.size(); i++) {
            headers.remove(ALWAYS.get(i));
        }
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !te.trim().equalsIgnoreCase("trailers")) {
            headers.remove(HttpHeaderNames.TE);
        }
        if (keepUpgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }

    /** A client cannot make us drop the framing fields by naming them in Connection. */
    private static boolean isFraming(String token) {
        return token.equalsIgnoreCase("content-length") || token.equalsIgnoreCase("transfer-encoding")
                || token.equalsIgnoreCase("host");
    }
}
