package dev.tandem.proxy;

/** How an exchange ended; the {@code outcome} metric tag and access-log field. Bounded by construction. */
public enum Outcome {
    /** The backend's response reached the client whole, 1xx-3xx. */
    SUCCESS("success"),
    /** The backend answered 4xx. */
    CLIENT_ERROR("client_error"),
    /** The backend answered 5xx. */
    SERVER_ERROR("server_error"),
    /** Tandem rejected the request itself: bad request, limits, no route. */
    REJECTED("rejected"),
    /** The backend refused the connection, answered garbage or closed before answering (502). */
    REFUSED("refused"),
    /** The backend did not answer in time (504). */
    TIMEOUT("timeout"),
    /** No connection could be had: the pool's queue was full (503). */
    OVERLOADED("overloaded"),
    /** The backend failed after the response had started; the client connection was closed. */
    ABORTED("aborted"),
    /** The client went away before the response was complete. */
    CLIENT_ABORT("client_abort");

    private final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    static Outcome ofStatus(int status) {
        if (status >= 500) {
            return SERVER_ERROR;
        }
        return status >= 400 ? CLIENT_ERROR : SUCCESS;
    }
}
