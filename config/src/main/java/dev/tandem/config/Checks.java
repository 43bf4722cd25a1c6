package dev.tandem.config;

import java.time.Duration;
import java.util.Locale;
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

    private static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private Checks() {
    }

    static boolean isPort(long port) {
        return port >= 0 && port <= 65535;
    }

    static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
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

    private static int require(boolean ok, String name, int value, String expected) {
        if (!ok) {
            throw invalid(name, value, expected);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String name, Object value, String expected) {
        return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
}
