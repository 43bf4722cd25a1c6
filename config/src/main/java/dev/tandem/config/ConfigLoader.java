package dev.tandem.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a gateway configuration once, at start, and either returns it whole and valid or throws a
 * {@link ConfigValidationException} listing every problem.
 *
 * <p>Settings are layered, highest priority first:
 * <ol>
 *   <li>environment overrides: {@code TANDEM_LISTEN_HOST}, {@code TANDEM_LISTEN_PORT}, {@code TANDEM_EVENT_LOOPS},
 *       {@code TANDEM_ADMIN_HOST}, {@code TANDEM_ADMIN_PORT}, {@code TANDEM_ADMIN_TOKEN} and, for each declared
 *       backend, {@code TANDEM_BACKEND_<NAME>_URL} where NAME is the backend's name upper-cased with {@code -} as
 *       {@code _}; an empty variable counts as unset;</li>
 *   <li>the HOCON file;</li>
 *   <li>{@code reference.conf} from this module, which holds every default.</li>
 * </ol>
 * {@code ${?NAME}} substitutions in the file are resolved against the same environment map (never against
 * {@link System#getenv()} unless that is the map given), so a test's environment is exactly the map it passes.
 * System properties are not consulted.
 */
public final class ConfigLoader {

    /** How {@link #parse(String)} names the string in problem origins, as in {@code <string>:3}. */
    static final String STRING_ORIGIN = "<string>";

    private static final Map<String, String> ENV_PATHS = envPaths();
    private static final Pattern BACKEND_URL_ENV = Pattern.compile("TANDEM_BACKEND_(.+)_URL");
    private static final ConfigResolveOptions RESOLVE =
            ConfigResolveOptions.defaults().setUseSystemEnvironment(false);

    private ConfigLoader() {
    }

    /**
     * Loads {@code file} with the process environment as overrides. A relative {@code tandem.traffic.state-file} is
     * resolved against the file's directory.
     *
     * @throws ConfigValidationException if the file is missing or malformed, or any setting is invalid
     */
    public static GatewayConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * Loads {@code file} with {@code env} as the environment: overrides and {@code ${?NAME}} substitutions.
     *
     * @throws ConfigValidationException if the file is missing or malformed, or any setting is invalid
     */
    public static GatewayConfig load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(env, "env");
        String origin = file.toString();
        if (!Files.exists(file)) {
            throw single(new ConfigProblem("", "file not found (expected: a readable HOCON file)", origin));
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw single(new ConfigProblem("", "not a readable regular file (expected: a readable HOCON file)", origin));
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw single(problem(e));
        }
        return build(parsed, env, file.toAbsolutePath().getParent(), SourceLines.ofFiles());
    }

    /**
     * Parses a configuration held in a string, with no environment; origins read {@code <string>:line}. A relative
     * {@code tandem.traffic.state-file} is resolved against the working directory.
     *
     * @throws ConfigValidationException if the text is malformed or any setting is invalid
     */
    public static GatewayConfig parse(String hocon) {
        return parse(hocon, Map.of());
    }

    /**
     * Parses a configuration held in a string, with {@code env} as the environment.
     *
     * @throws ConfigValidationException if the text is malformed or any setting is invalid
     */
    public static GatewayConfig parse(String hocon, Map<String, String> env) {
        Objects.requireNonNull(hocon, "hocon");
        Objects.requireNonNull(env, "env");
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(STRING_ORIGIN));
        } catch (ConfigException e) {
            throw single(problem(e));
        }
        return build(parsed, env, Path.of("").toAbsolutePath(), SourceLines.of(hocon));
    }

    /** The module's {@code reference.conf}, resolved; only its {@code tandem} section is read. */
    static Config reference() {
        return ConfigFactory.defaultReferenceUnresolved(ConfigLoader.class.getClassLoader()).resolve();
    }

    /**
     * @param directory what a relative path in the config is relative to
     * @param sources   the text parsed, for the order of keys written on one line
     */
    private static GatewayConfig build(Config parsed, Map<String, String> env, Path directory, SourceLines sources) {
        Config reference = reference();
        // Lowest priority, at the root: what ${?NAME} substitutions in the file resolve against. The keys are plain
        // keys, not paths, so any variable name is safe here.
        Config substitutions = ConfigValueFactory.fromMap(env, "environment").toConfig();
        Config base = parsed.withFallback(reference).withFallback(substitutions);

        List<ConfigProblem> problems = new ArrayList<>(misspeltRoot(parsed));
        List<String> backends;
        Config overrides;
        Config merged;
        try {
            // Resolved once without overrides to learn the backends, which the per-backend variables need. Their
            // order is taken here too: an override merged into a backend object loses the object's line number.
            backends = declaredBackends(base.resolve(RESOLVE));
            overrides = overrides(env, backends, problems);
            merged = overrides.withFallback(base).resolve(RESOLVE);
        } catch (ConfigException e) {
            throw single(problem(e));
        }
        return ConfigMapper.map(merged, reference, backends, problems, directory, sources);
    }

    /** A top-level key one or two typos away from {@code tandem} would silently configure nothing. */
    private static List<ConfigProblem> misspeltRoot(Config parsed) {
        List<ConfigProblem> problems = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(parsed.root()).entrySet()) {
            String key = entry.getKey();
            if (!key.equals("tandem") && DidYouMean.closest(key, List.of("tandem")) != null) {
                problems.add(new ConfigProblem(ConfigUtil.joinPath(key),
                        "unknown key (did you mean \"tandem\"?)", Origins.of(entry.getValue().origin())));
            }
        }
        return problems;
    }

    /** The backend names in declaration order. Config objects do not keep it; line numbers do, within one file. */
    private static List<String> declaredBackends(Config config) {
        if (config.root().get("tandem") instanceof ConfigObject tandem
                && tandem.get("backends") instanceof ConfigObject backends) {
            List<Map.Entry<String, ConfigValue>> declared = new ArrayList<>(backends.entrySet());
            declared.sort(Comparator
                    .comparingInt((Map.Entry<String, ConfigValue> e) -> e.getValue().origin().lineNumber())
                    .thenComparing(Map.Entry::getKey));
            return declared.stream().map(Map.Entry::getKey).toList();
        }
        return List.of();
    }

    /**
     * The environment overrides as a config whose values name their variable as origin. A
     * {@code TANDEM_BACKEND_<NAME>_URL} that matches no declared backend is a problem: it is almost always a typo or
     * a renamed backend, and ignoring it would send traffic to the file's URL.
     */
    static Config overrides(Map<String, String> env, List<String> backendNames, List<ConfigProblem> problems) {
        Config overrides = ConfigFactory.empty();
        for (Map.Entry<String, String> entry : ENV_PATHS.entrySet()) {
            String value = env.get(entry.getKey());
            if (value != null && !value.isEmpty()) {
                overrides = override(entry.getKey(), entry.getValue(), value).withFallback(overrides);
            }
        }

        Map<String, List<String>> backendsByVariable = new TreeMap<>();
        for (String name : backendNames) {
            backendsByVariable.computeIfAbsent(backendUrlVariable(name), k -> new ArrayList<>()).add(name);
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
            String variable = entry.getKey();
            Matcher matcher = BACKEND_URL_ENV.matcher(variable);
            if (!matcher.matches() || entry.getValue().isEmpty()) {
                continue;
            }
            List<String> names = backendsByVariable.getOrDefault(variable, List.of());
            String origin = "env var " + variable;
            if (names.size() == 1) {
                String path = ConfigUtil.joinPath("tandem", "backends", names.get(0), "url");
                overrides = override(variable, path, entry.getValue()).withFallback(overrides);
            } else if (names.isEmpty()) {
                String hint = DidYouMean.hint(variable, backendsByVariable.keySet());
                problems.add(new ConfigProblem("tandem.backends", "\"" + variable + "\" names no declared backend"
                        + " (expected: TANDEM_BACKEND_<NAME>_URL for one of " + backendNames
                        + (hint.isEmpty() ? "" : "; " + hint) + ")", origin));
            } else {
                problems.add(new ConfigProblem("tandem.backends", "\"" + variable + "\" matches backends " + names
                        + " (expected: backend names that differ in more than '-' versus '_')", origin));
            }
        }
        return overrides;
    }

    /** The variable that overrides a backend's URL: {@code billing-api} is {@code TANDEM_BACKEND_BILLING_API_URL}. */
    static String backendUrlVariable(String backendName) {
        return "TANDEM_BACKEND_" + backendName.toUpperCase(Locale.ROOT).replace('-', '_') + "_URL";
    }

    private static Config override(String variable, String path, String value) {
        return ConfigFactory.parseMap(Map.of(path, value), "env var " + variable);
    }

    private static Map<String, String> envPaths() {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("TANDEM_LISTEN_HOST", "tandem.listen.host");
        paths.put("TANDEM_LISTEN_PORT", "tandem.listen.port");
        paths.put("TANDEM_EVENT_LOOPS", "tandem.listen.event-loops");
        paths.put("TANDEM_ADMIN_HOST", "tandem.admin.host");
        paths.put("TANDEM_ADMIN_PORT", "tandem.admin.port");
        paths.put("TANDEM_ADMIN_TOKEN", "tandem.admin.token");
        return Collections.unmodifiableMap(paths);
    }

    private static ConfigProblem problem(ConfigException e) {
        String message = e.getMessage();
        if (e.origin() != null) {
            // Typesafe prefixes the origin's description; the problem carries the origin separately.
            String prefix = e.origin().description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
        }
        return new ConfigProblem("", message, e.origin() == null ? null : Origins.of(e.origin()));
    }

    private static ConfigValidationException single(ConfigProblem problem) {
        return new ConfigValidationException(List.of(problem));
    }
}
