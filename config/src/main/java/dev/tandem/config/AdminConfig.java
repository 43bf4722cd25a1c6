package dev.tandem.config;

import org.jspecify.annotations.Nullable;

/**
 * The admin listener: health, readiness, metrics and runtime changes.
 *
 * @param host  address to bind; loopback by default
 * @param port  port to bind; 0 picks a free one (tests)
 * @param token bearer token required for changes, and for everything when bound to a non-loopback address; an empty
 *              token is stored as null. The mapper requires one when the host is not loopback; a record built in code
 *              is not checked for that
 */
public record AdminConfig(String host, int port, @Nullable String token) {

    public AdminConfig {
        Checks.notBlank("host", host);
        Checks.port("port", port);
        if (token != null && token.isEmpty()) {
            token = null;
        }
    }

    /**
     * Whether {@link #host()} keeps the listener on this machine: {@code localhost}, 127.0.0.0/8 or {@code ::1}. Other
     * host names are not resolved, and count as reachable from the network.
     */
    public boolean isLoopback() {
        return Checks.isLoopback(host);
    }

    @Override
    public String toString() {
        return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "<redacted>") + "]";
    }
}
