/**
 * HTTP/1.1 on the wire for the proxy path: the upstream response decoder and the writers that turn heads into bytes.
 *
 * <p>Netty's codecs build a header map for every message and encode it again on the way out. A proxy mostly copies
 * heads: here a response head stays the bytes it arrived as, fields are located once, and the head the client gets
 * is those bytes minus the hop-by-hop fields plus Tandem's own. Netty's {@code HttpHeaders} are built only when
 * something off the hot path asks for them (mirroring, tests).
 */
@NullMarked
package dev.tandem.http1;

import org.jspecify.annotations.NullMarked;
