package dev.tandem.http1;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Read access to a message's header fields by name, ignoring case: what routing and splitting need of a request. */
public interface HeaderLookup {
    /** The first value of the field, or null. */
    @Nullable String get(String name);

    /** Every value of the field, in order. */
    List<String> getAll(String name);

    /** A view of a Netty header map. */
    static HeaderLookup of(HttpHeaders headers) {
        return new HeaderLookup() {
            @Override
            public @Nullable String get(String name) {
                return headers.get(name);
            }

            @Override
            public List<String> getAll(String name) {
                return headers.getAll(name);
            }
        };
    }
}
