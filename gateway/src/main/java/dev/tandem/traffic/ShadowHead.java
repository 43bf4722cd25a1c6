package dev.tandem.traffic;

import dev.tandem.config.BackendConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes the head of a mirrored request as a backend gets it: the proxy's own head writer, with the shadow marker
 * and the buffered body's length. Called on the event loop each time the request goes out (the shadow, and the
 * primary's repeat for a noise sample); the caller owns the buffer.
 */
@FunctionalInterface
public interface ShadowHead {
    /** The head for {@code backend}: the request target under that backend's base path. */
    ByteBuf write(ByteBufAllocator alloc, BackendConfig backend, int bodyLength);
}
