package dev.tandem.upstream;

/** No connection could be had: the pool is at its maximum and its queue is full. Answered with 503. */
public final class PoolExhaustedException extends RuntimeException {
    PoolExhaustedException(String backend, int maxConnections, int maxPending) {
        super("backend '" + backend + "' is at its limit of " + maxConnections
                + " connections per event loop with " + maxPending + " requests waiting", null, false, false);
    }
}
