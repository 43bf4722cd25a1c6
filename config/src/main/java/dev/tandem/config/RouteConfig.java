package dev.tandem.config;

import java.util.Objects;

/**
 * One route: which requests it takes and which backend serves them.
 *
 * @param name    unique name; the {@code route} metric tag
 * @param match   the request predicate
 * @param backend the backend's name
 */
public record RouteConfig(String name, MatchConfig match, String backend) {

    public RouteConfig {
        Checks.notBlank("name", name);
        Objects.requireNonNull(match, "match");
        Checks.notBlank("backend", backend);
    }
}
