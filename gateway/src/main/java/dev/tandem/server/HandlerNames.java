package dev.tandem.server;

/**
 * The name of every handler Tandem installs, in pipeline order. One place, so that a handler is always found and
 * replaced by the same name.
 *
 * <p>Client (downstream) pipeline, inbound order:
 * <ol>
 *   <li>{@link #CLIENT_TIMEOUTS}: idle keep-alive and slow request-head timeouts</li>
 *   <li>{@link #CLIENT_CODEC}: Tandem's strict HTTP/1.1 request decoder with size limits, one message per
 *   {@code read()} (responses are written as bytes)</li>
 *   <li>{@link #CLIENT_EXCHANGE}: routes the request and relays it to the upstream</li>
 *   <li>{@link #METRICS}: observes exchange events and records them (when metrics are on)</li>
 *   <li>{@link #ACCESS_LOG}: observes exchange events and writes the access log</li>
 * </ol>
 * After a WebSocket upgrade the codec and exchange handlers are replaced by {@link #TUNNEL}.
 *
 * <p>Upstream pipeline, inbound order: {@link #UPSTREAM_CODEC} (Tandem's response decoder; requests are written as
 * bytes), {@link #UPSTREAM_RESPONSE}; after an upgrade,
 * {@link #TUNNEL}.
 */
public final class HandlerNames {
    public static final String CLIENT_TIMEOUTS = "client-timeouts";
    public static final String CLIENT_CODEC = "client-codec";
    public static final String CLIENT_EXCHANGE = "client-exchange";
    public static final String METRICS = "metrics";
    public static final String ACCESS_LOG = "access-log";

    public static final String UPSTREAM_CODEC = "upstream-codec";
    public static final String UPSTREAM_RESPONSE = "upstream-response";

    public static final String TUNNEL = "tunnel";

    private HandlerNames() {
    }
}
