package dev.tandem.proxy;

import dev.tandem.metrics.PairMetrics;
import org.jspecify.annotations.Nullable;

/**
 * Fired through the client pipeline once per exchange, when it has ended one way or another. Metrics and the access
 * log record from it; nothing else records, so every exchange is counted exactly once.
 *
 * @param requestId     the request id sent upstream and logged
 * @param route         the route's name, or null when no route matched
 * @param backend       the backend that served it, or null when none was tried
 * @param method        the request method
 * @param path          the normalised path (for the log only, never a metric tag)
 * @param status        the status sent to the client, or 0 when none was
 * @param outcome       how it ended
 * @param durationNanos from the decoded request head to the end
 * @param bytesIn       request body bytes read from the client
 * @param bytesOut      response body bytes written to the client
 * @param metrics       the meters the exchange records into, or null when metrics are off
 * @param endNanos      {@link System#nanoTime()} at the end, so that observers need not read the clock again
 */
public record ExchangeCompleted(
        String requestId,
        @Nullable String route,
        @Nullable String backend,
        String method,
        String path,
        int status,
        Outcome outcome,
        long durationNanos,
        long bytesIn,
        long bytesOut,
        @Nullable PairMetrics metrics,
        long endNanos) {
}
