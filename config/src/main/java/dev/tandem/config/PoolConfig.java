package dev.tandem.config;

import java.time.Duration;

/**
 * A backend's keep-alive pool. Pools are kept per event loop, so the totals are these times the loop count.
 *
 * @param maxConnections    open connections to the backend per event loop; above it, exchanges wait in line
 * @param maxPending        exchanges waiting for a connection per event loop; above it, they answer 503
 * @param idleTimeout       an idle pooled connection is closed after this; keep it shorter than the backend
 *                          server's own keep-alive timeout, or the server may close it as we send on it
 */
public record PoolConfig(int maxConnections, int maxPending, Duration idleTimeout) {

    public PoolConfig {
        Checks.atLeast("maxConnections", maxConnections, 1, Checks.AT_LEAST_ONE);
        Checks.atLeast("maxPending", maxPending, 0, Checks.NOT_NEGATIVE);
        Checks.positive("idleTimeout", idleTimeout);
    }
}
