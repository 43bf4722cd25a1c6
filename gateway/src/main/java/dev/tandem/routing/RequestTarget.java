package dev.tandem.routing;

import org.jspecify.annotations.Nullable;

/**
 * A request target split into a normalised path and its raw query. Normalisation happens before routing and the
 * backend receives the same normalised path, so that a path cannot be routed one way and interpreted another:
 * percent-encoded unreserved characters are decoded (RFC 3986 section 6.2.2.2), dot segments are removed (section
 * 5.2.4) and repeated slashes are kept as they are. Encoded slashes ({@code %2F}) stay encoded.
 *
 * @param path  the normalised path, always starting with '/'
 * @param query the raw query without '?', or null
 */
public record RequestTarget(String path, @Nullable String query) {

    /**
     * Parses an origin-form ({@code /a/b?q}) or absolute-form ({@code http://host/a/b?q}) target.
     *
     * @return null when the target is not a valid request target for a proxied request
     */
    public static @Nullable RequestTarget parse(String uri) {
        String rest = uri;
        if (!rest.startsWith("/")) {
            // Absolute form (RFC 9112 section 3.2.2): keep only the path and query.
            int scheme = rest.indexOf("://");
            if (scheme <= 0 || !rest.regionMatches(true, 0, "http", 0, 4)) {
                return null;
            }
            int slash = rest.indexOf('/', scheme + 3);
            int question = rest.indexOf('?', scheme + 3);
            if (slash < 0 || (question >= 0 && question < slash)) {
                rest = "/" + (question >= 0 ? rest.substring(question) : "");
            } else {
                rest = rest.substring(slash);
            }
        }
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            return null; // a fragment is never sent in a request target
        }
        int question = rest.indexOf('?');
        String rawPath = question >= 0 ? rest.substring(0, question) : rest;
        String query = question >= 0 ? rest.substring(question + 1) : null;
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return null;
            }
        }
        String path = normalise(rawPath);
        return path == null ? null : new RequestTarget(path, query);
    }

    /** The path and query as sent upstream. */
    public String toUri() {
        return query == null ? path : path + '?' + query;
    }

    private static @Nullable String normalise(String rawPath) {
        if (rawPath.indexOf('%') < 0 && rawPath.indexOf('.') < 0) {
            return rawPath; // the common case: nothing to decode, no dot segment possible
        }
        String decoded = decodeUnreserved(rawPath);
        return decoded == null ? null : removeDotSegments(decoded);
    }

    private static @Nullable String decodeUnreserved(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            char decoded = (char) (hi * 16 + lo);
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                // Keep the escape, in the normalised upper-case form.
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 3986 section 5.2.4, on a path that starts with '/'. */
    private static String removeDotSegments(String path) {
        String[] segments = path.split("/", -1);
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>(segments.length);
        // segments[0] is the empty string before the leading '/'.
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else if (segment.equals("..")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(segment);
            }
        }
        StringBuilder result = new StringBuilder(path.length());
        for (String segment : out) {
            result.append('/').append(segment);
        }
        return result.length() == 0 ? "/" : result.toString();
    }
}
