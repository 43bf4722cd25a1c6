package dev.tandem.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a split route keeps a client on one backend. The client key is hashed consistently, so the same client lands
 * on the same backend on every gateway replica, and a weight change moves only the clients that must move.
 * Requests without the key are placed at random.
 *
 * <p>HOCON: absent or {@code sticky = none}; {@code sticky { cookie = "sessionid" }};
 * {@code sticky { header = "X-Api-Key" }}; {@code sticky { client-ip = true }}.
 *
 * @param kind what identifies a client
 * @param name the cookie or header name (an HTTP token), for those kinds; null otherwise
 */
public record StickyConfig(Kind kind, @Nullable String name) {

    /** What identifies a client. */
    public enum Kind {
        /** No stickiness: every request is placed at random by weight. */
        NONE,
        /** A cookie's value, e.g. Django's {@code sessionid}. */
        COOKIE,
        /** A request header's value, e.g. an API key or user id. */
        HEADER,
        /** The client's IP address as Tandem sees it. */
        CLIENT_IP
    }

    public static final StickyConfig NONE = new StickyConfig(Kind.NONE, null);

    public StickyConfig {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.COOKIE || kind == Kind.HEADER) != (name != null)) {
            throw new IllegalArgumentException("sticky: a name is required for cookie and header, and only for them");
        }
        if (name != null) {
            Checks.token("name", name);
        }
    }
}
