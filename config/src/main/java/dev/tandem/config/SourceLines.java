package dev.tandem.config;

import com.typesafe.config.ConfigOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The text a config was parsed from, line by line, to put the keys of an object in the order they were written.
 * Typesafe Config keeps neither: objects are hash maps, and an origin has a line number but no column. Line numbers
 * order keys on separate lines; this orders keys that share one, such as {@code split { django = 90, fastapi = 10 }}.
 */
final class SourceLines {

    private final @Nullable List<String> text;
    private final Map<String, List<String>> files = new HashMap<>();

    private SourceLines(@Nullable List<String> text) {
        this.text = text;
    }

    /** The lines of a string parsed by {@link ConfigLoader#parse(String)}, plus any file it includes. */
    static SourceLines of(String text) {
        return new SourceLines(lines(text));
    }

    /** The lines of whatever files the origins name. */
    static SourceLines ofFiles() {
        return new SourceLines(null);
    }

    /**
     * Where {@code key} is written as a key ({@code key =}, {@code "key":}) on the line of {@code origin}, at or after
     * the first occurrence of {@code after} on it; {@link Integer#MAX_VALUE} when the line or the key cannot be found.
     */
    int column(ConfigOrigin origin, String key, String after) {
        String line = line(origin);
        if (line == null) {
            return Integer.MAX_VALUE;
        }
        Matcher matcher = Pattern.compile("(?<![A-Za-z0-9_\"-])\"?" + Pattern.quote(key) + "\"?\\s*[=:]")
                .matcher(line);
        int from = Math.max(0, line.indexOf(after));
        return matcher.find(from) ? matcher.start() : Integer.MAX_VALUE;
    }

    private @Nullable String line(ConfigOrigin origin) {
        int number = origin.lineNumber();
        if (number < 1) {
            return null;
        }
        List<String> lines = null;
        if (origin.filename() != null) {
            lines = files.computeIfAbsent(origin.filename(), SourceLines::read);
        } else if (text != null && origin.resource() == null && origin.url() == null
                && origin.description().startsWith(ConfigLoader.STRING_ORIGIN)) {
            lines = text;
        }
        return lines != null && number <= lines.size() ? lines.get(number - 1) : null;
    }

    private static List<String> read(String filename) {
        try {
            return lines(Files.readString(Path.of(filename)));
        } catch (IOException | RuntimeException unreadable) {
            // Only the order of keys on one line is lost; they fall back to name order.
            return List.of();
        }
    }

    /** Split as the parser counts lines: at '\n' only. */
    private static List<String> lines(String text) {
        return Arrays.asList(text.split("\n", -1));
    }
}
