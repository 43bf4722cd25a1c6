package dev.tandem.config;

import com.typesafe.config.ConfigOrigin;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Renders a value's origin the way compilers do: {@code application.conf:12}. */
final class Origins {

    /** A simple origin's description ends with its line range, which is rendered separately. */
    private static final Pattern LINE_SUFFIX = Pattern.compile(": \\d+(-\\d+)?$");

    private Origins() {
    }

    /**
     * {@code file:line}, {@code reference.conf:line}, {@code env var NAME}, or null for an object merged from several
     * files, whose problems would otherwise point at a list of places.
     */
    static @Nullable String of(ConfigOrigin origin) {
        String source;
        if (origin.filename() != null) {
            source = origin.filename();
        } else if (origin.resource() != null) {
            source = origin.resource();
        } else if (origin.url() != null) {
            source = origin.url().toString();
        } else {
            source = LINE_SUFFIX.matcher(origin.description()).replaceFirst("");
        }
        if (source.startsWith("merge of ")) {
            return null;
        }
        return origin.lineNumber() >= 0 ? source + ":" + origin.lineNumber() : source;
    }

    /** Whether the value is a default from {@code reference.conf} rather than something the deployment wrote. */
    static boolean isDefault(ConfigOrigin origin) {
        return "reference.conf".equals(origin.resource());
    }
}
