package dev.tandem.upstream;

/**
 * Receives what happens on an upstream connection while an exchange holds it. All calls come on the connection's
 * event loop, which is also the client channel's loop.
 */
public interface UpstreamListener {

    /**
     * A decoded response object ({@code HttpResponse}, {@code HttpContent}), or a raw {@code ByteBuf} after an
     * upgrade. Ownership passes to the listener: it must release or forward the message.
     */
    void onUpstreamMessage(Object message);

    /** A read from the socket has been decoded and delivered: the time to flush what was relayed. */
    void onUpstreamReadComplete();

    /** The connection closed. */
    void onUpstreamClosed();

    /** The connection failed (reset, decoder error); it is closed right after. */
    void onUpstreamError(Throwable cause);

    /** The connection's writability changed: the listener may resume reading from the client. */
    void onUpstreamWritabilityChanged(boolean writable);
}
