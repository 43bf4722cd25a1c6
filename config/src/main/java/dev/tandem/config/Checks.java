package dev.tandem.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules shared by the records' constructors and {@link ConfigMapper}: the mapper checks them first so it can name
 * the setting and its origin; the constructors repeat them so a record built in code is never out of range.
 */
final class Checks {

    static final String PORT = "a port in 0..65535";
    static final String BACKEND_PORT = "a port in 1..65535";
    static final String EVENT_LOOPS = "0 (one per core) or more";
    static final String AT_LEAST_ONE = "1 or more";
    static final String NOT_NEGATIVE = "0 or more";
    static final String POSITIVE_DURATION = "a positive duration with a unit, such as 500ms, 10s or 2m";
    static final String POSITIVE_SIZE = "a positive size, in bytes or with a unit such as 512k or 16m";
    static final String NAME = "lower-case letters, digits, '-' and '_', starting with a letter or digit";
    static final String TOKEN = "an HTTP token: letters, digits and !#$%&'*+-.^_`|~";
    static final String PERCENT = "a percentage in 0..100";
    static final String REQUEST_PATH = "a path starting with '/', without spaces";
    static final String RATE_PERCENT = "a percentage in 1..100";
    static final String NOT_NEGATIVE_DURATION = "a duration of 0 or more with a unit, such as 0ms, 25ms or 1s";

    /** RFC 9110 section 9.2.1: methods whose semantics are read-only. */
    static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    /** RFC 9110 section 9.2.2: methods whose repetition has the effect of one request. */
    static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    static final String NOT_RETRIED = "never retried: may have reached the backend "
            + "(expected: idempotent methods, e.g. GET, HEAD, OPTIONS, PUT, DELETE)";
    static final String MIRRORED_WRITE = "mirroring writes to a shared database "
            + "(expected: allow-writes = true, and backends that roll back requests with X-Tandem-Shadow)";

    private static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** What an IPv6 literal can contain; anything else is a name, which is never resolved here. */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(%[\\w.-]+)?");

    private Checks() {
    }

    static boolean isPort(long port) {
        return port >= 0 && port <= 65535;
    }

    static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    static boolean isNotNegative(Duration duration) {
        return !duration.isNegative();
    }

    static boolean isName(String name) {
        return NAME_PATTERN.matcher(name).matches();
    }

    /** Whether {@code s} is an RFC 9110 token, the grammar of header names and methods. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code host} only ever reaches this machine: {@code localhost}, an address in 127.0.0.0/8, or {@code ::1}
     * (with or without brackets). Other names are not resolved: binding to one counts as reachable from the network.
     */
    static boolean isLoopback(String host) {
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equalsIgnoreCase("localhost") || h.equalsIgnoreCase("localhost.")) {
            return true;
        }
        Matcher v4 = IPV4.matcher(h);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return v4.group(1).equals("127");
        }
        if (h.indexOf(':') >= 0 && IPV6_LITERAL.matcher(h).matches()) {
            try {
                // A literal with ':' is parsed, never looked up; IPv4-mapped ::ffff:127.x.y.z comes back as IPv4.
                return InetAddress.getByName(h).isLoopbackAddress();
            } catch (UnknownHostException | SecurityException notAnAddress) {
                return false;
            }
        }
        return false;
    }

    /** Drops trailing slashes, so {@code /api/} and {@code /api} mean the same segment-aware prefix. */
    static String normalizePrefix(String prefix) {
        int end = prefix.length();
        while (end > 1 && prefix.charAt(end - 1) == '/') {
            end--;
        }
        return prefix.substring(0, end);
    }

    static int port(String name, int port) {
        return require(isPort(port), name, port, PORT);
    }

    static int atLeast(String name, int value, int min, String expected) {
        return require(value >= min, name, value, expected);
    }

    static int range(String name, int value, int min, int max) {
        return require(value >= min && value <= max, name, value, min + ".." + max);
    }

    static double percent(String name, double value) {
        if (!(value >= 0 && value <= 100)) {
            throw invalid(name, value, PERCENT);
        }
        return value;
    }

    static Duration notNegative(String name, Duration duration) {
        if (!isNotNegative(duration)) {
            throw invalid(name, duration, NOT_NEGATIVE_DURATION);
        }
        return duration;
    }

    /** An absolute path, as a request target or health check path: starts with '/', no whitespace. */
    static String absolutePath(String name, String path) {
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw invalid(name, "\"" + path + "\"", REQUEST_PATH);
        }
        return path;
    }

    static long positive(String name, long value) {
        if (value <= 0) {
            throw invalid(name, value, POSITIVE_SIZE);
        }
        return value;
    }

    static Duration positive(String name, Duration duration) {
        if (!isPositive(duration)) {
            throw invalid(name, duration, POSITIVE_DURATION);
        }
        return duration;
    }

    static String notBlank(String name, String value) {
        if (value.isBlank()) {
            throw invalid(name, "\"" + value + "\"", "a non-empty string");
        }
        return value;
    }

    static String token(String name, String value) {
        if (!isToken(value)) {
            throw invalid(name, "\"" + value + "\"", TOKEN);
        }
        return value;
    }

    static String upperCase(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lowerCase(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** The methods as tokens, upper-cased, in an unmodifiable set. */
    static Set<String> methods(String name, Set<String> methods) {
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (String method : methods) {
            result.add(token(name, upperCase(method)));
        }
        return Collections.unmodifiableSet(result);
    }

    private static int require(boolean ok, String name, int value, String expected) {
        if (!ok) {
            throw invalid(name, value, expected);
        }
        return value;
    }

    static IllegalArgumentException invalid(String name, Object value, String expected) {
        return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
}
