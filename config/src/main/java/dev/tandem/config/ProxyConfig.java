package dev.tandem.config;

import org.jspecify.annotations.Nullable;

/**
 * Header rules applied to every proxied exchange.
 *
 * @param requestIdHeader the request id header: passed through when the client sent a valid one, generated otherwise
 * @param preserveHost    forward the client's {@code Host} (Django's ALLOWED_HOSTS and uvicorn rely on it)
 *                        instead of the backend's own authority
 * @param backendHeader   response header that names the backend that served the request; null (or empty, stored as
 *                        null) turns it off
 */
public record ProxyConfig(String requestIdHeader, boolean preserveHost, @Nullable String backendHeader) {

    public ProxyConfig {
        Checks.token("requestIdHeader", requestIdHeader);
        if (backendHeader != null && backendHeader.isEmpty()) {
            backendHeader = null;
        }
        if (backendHeader != null) {
            Checks.token("backendHeader", backendHeader);
        }
    }
}
