package dev.tandem.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with a configuration, as {@code tandem --check-config} prints it:
 * <pre>application.conf:12: tandem.routes[1].backend: "fastapy" (expected: one of [django, fastapi]; did you mean "fastapi"?)</pre>
 *
 * @param path    the setting, such as {@code tandem.listen.port} or {@code tandem.routes[1].backend}; empty when the
 *                problem is not about one setting (a missing file, a syntax error)
 * @param message what is wrong, usually {@code <value> (expected: <rule>)}; secrets are never shown
 * @param origin  where the value came from: {@code file:line}, {@code reference.conf:line} or
 *                {@code env var TANDEM_LISTEN_PORT}; null when it has no single origin
 */
public record ConfigProblem(String path, String message, @Nullable String origin) {

    public ConfigProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder();
        if (origin != null) {
            line.append(origin).append(": ");
        }
        if (!path.isEmpty()) {
            line.append(path).append(": ");
        }
        return line.append(message).toString();
    }
}
