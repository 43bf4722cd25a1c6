package dev.tandem.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A route's request predicate. Exactly one of {@code path}, {@code prefix} and {@code regex} is set; the methods and
 * headers, when given, must match as well.
 *
 * @param path    the exact path
 * @param prefix  a segment-aware prefix: {@code /admin} matches {@code /admin} and {@code /admin/x}, never
 *                {@code /administrator}; {@code /} matches everything
 * @param regex   matched against the whole path
 * @param methods upper-case methods; empty means any
 * @param headers required headers
 */
public record MatchConfig(
        @Nullable String path,
        @Nullable String prefix,
        @Nullable Pattern regex,
        Set<String> methods,
        List<HeaderMatch> headers) {

    public MatchConfig {
        methods = Set.copyOf(methods);
        headers = List.copyOf(headers);
    }

    /**
     * A required request header.
     *
     * @param name  header name, case-insensitive
     * @param value the exact value required, or null when any value will do
     */
    public record HeaderMatch(String name, @Nullable String value) {
    }

    /** Whether this predicate takes every request: prefix {@code /} with no method or header condition. */
    public boolean isCatchAll() {
        return "/".equals(prefix) && methods.isEmpty() && headers.isEmpty();
    }
}
