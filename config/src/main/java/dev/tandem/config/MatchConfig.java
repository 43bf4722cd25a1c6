package dev.tandem.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A route's request predicate. Exactly one of {@code path}, {@code prefix} and {@code regex} is set; the methods and
 * headers, when given, must match as well. The constructor enforces this, drops a prefix's trailing {@code /} and
 * upper-cases the methods.
 *
 * @param path    the exact path
 * @param prefix  a segment-aware prefix: {@code /admin} matches {@code /admin} and {@code /admin/x}, never
 *                {@code /administrator}; {@code /} matches everything; never ends with {@code /} unless it is
 *                {@code /}
 * @param regex   matched against the whole path ({@code regex.matcher(path).matches()}), as written, unanchored
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
        int kinds = (path != null ? 1 : 0) + (prefix != null ? 1 : 0) + (regex != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException(
                    "path=" + path + ", prefix=" + prefix + ", regex=" + regex
                            + " (expected: exactly one of path, prefix and regex)");
        }
        if (path != null) {
            requireAbsolute("path", path);
        }
        if (prefix != null) {
            prefix = Checks.normalizePrefix(requireAbsolute("prefix", prefix));
        }
        methods = methods.stream()
                .map(method -> Checks.token("method", Checks.upperCase(method)))
                .collect(Collectors.toUnmodifiableSet());
        headers = List.copyOf(headers);
    }

    private static String requireAbsolute(String name, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(name + ": \"" + path + "\" (expected: a path starting with '/')");
        }
        return path;
    }

    /**
     * A required request header.
     *
     * @param name  header name, case-insensitive
     * @param value the exact value required, or null when any value will do
     */
    public record HeaderMatch(String name, @Nullable String value) {

        public HeaderMatch {
            Checks.token("header name", name);
        }
    }

    /** Whether this predicate takes every request: prefix {@code /} with no method or header condition. */
    public boolean isCatchAll() {
        return "/".equals(prefix) && methods.isEmpty() && headers.isEmpty();
    }
}
