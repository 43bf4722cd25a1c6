package dev.tandem.config;

import java.time.Duration;

/**
 * The client-facing listener. The constructor rejects out-of-range values with {@link IllegalArgumentException}.
 *
 * @param host                 address to bind
 * @param port                 port to bind; 0 picks a free one (tests)
 * @param eventLoops           worker event loops; 0 means one per available core
 * @param idleTimeout          a keep-alive client connection with no request in flight is closed after this
 * @param requestHeaderTimeout a request whose head has not fully arrived after this is dropped (slowloris)
 * @param drainTimeout         on shutdown, in-flight exchanges get this long to finish
 * @param maxConnections       open client connections above this are closed at accept
 */
public record ListenerConfig(
        String host,
        int port,
        int eventLoops,
        Duration idleTimeout,
        Duration requestHeaderTimeout,
        Duration drainTimeout,
        int maxConnections) {

    public ListenerConfig {
        Checks.notBlank("host", host);
        Checks.port("port", port);
        Checks.atLeast("eventLoops", eventLoops, 0, Checks.EVENT_LOOPS);
        Checks.positive("idleTimeout", idleTimeout);
        Checks.positive("requestHeaderTimeout", requestHeaderTimeout);
        Checks.positive("drainTimeout", drainTimeout);
        Checks.atLeast("maxConnections", maxConnections, 1, Checks.AT_LEAST_ONE);
    }
}
