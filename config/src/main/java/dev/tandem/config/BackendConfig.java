package dev.tandem.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One upstream: a Django or FastAPI server.
 *
 * @param name            the name routes refer to; also the {@code upstream} metric tag
 * @param url             the base URL, {@code http://host:port}; a path prefix, if any, is prepended to every request
 * @param host            the URL's host, a literal address or a name resolved once at start (never on an event loop);
 *                        an IPv6 literal keeps its brackets, as {@link URI#getHost()} returns it. Use this rather
 *                        than {@code url().getHost()}, which is null for names with '_' (Docker Compose services)
 * @param port            the URL's port, 80 when the URL has none
 * @param pool            the keep-alive connection pool
 * @param connectTimeout  a connection not established after this fails the exchange (504 on timeout, 502 refused)
 * @param responseTimeout no response head (or no further body bytes) after this fails the exchange with 504
 * @param resilience      circuit breaker, bulkhead, retries and health checks
 * @param shadowPipelining mirrored GETs to this backend go pipelined (HTTP/1.1) on one connection per event loop,
 *                        several per send, instead of one exchange per connection; only for servers that take it
 */
public record BackendConfig(
        String name,
        URI url,
        String host,
        int port,
        PoolConfig pool,
        Duration connectTimeout,
        Duration responseTimeout,
        ResilienceConfig resilience,
        boolean shadowPipelining) {

    public BackendConfig {
        Checks.notBlank("name", name);
        Objects.requireNonNull(url, "url");
        Checks.notBlank("host", host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: " + Checks.BACKEND_PORT + ")");
        }
        Objects.requireNonNull(pool, "pool");
        Checks.positive("connectTimeout", connectTimeout);
        Checks.positive("responseTimeout", responseTimeout);
        Objects.requireNonNull(resilience, "resilience");
    }

    /** {@code host} or {@code host:port} (port 80 left out): the Host a request to this backend names. */
    public String authority() {
        return port == 80 ? host : host + ':' + port;
    }

    /** The path prefix of {@link #url()}, empty when it has none (never ends with '/'). */
    public String basePath() {
        String path = url.getRawPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
