package dev.tandem.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Maps a resolved, layered config into a {@link GatewayConfig}, collecting every problem before it gives up.
 *
 * <p>Each reader returns null after recording a problem, and a record is only built when all its parts were read;
 * so one bad setting costs one problem, never a cascade. Values that failed the structural check
 * ({@link Config#checkValid}) are not read again. Readers of optional settings return {@link Optional#empty()} when
 * the setting is off, and null after a problem.
 *
 * <p>Blocks merged over defaults ({@code tandem.backends.<name>} over {@code tandem.backend-defaults}, a route's
 * {@code mirror} over {@code tandem.route-defaults.mirror}) are read key by key from where each key is set; see
 * {@link Layered}.
 */
final class ConfigMapper {

    private static final List<String> ROUTE_KEYS = List.of(
            "name", "match", "backend", "split", "sticky", "fallback", "timeout", "rate-limit", "mirror");
    private static final List<String> MATCH_KINDS = List.of("path", "prefix", "regex");
    private static final List<String> MATCH_KEYS = List.of("path", "prefix", "regex", "methods", "headers");
    private static final List<String> STICKY_KEYS = List.of("cookie", "header", "client-ip");
    private static final List<String> RATE_LIMIT_KEYS = List.of("requests-per-second");
    /** Keys that have no default, written where the defaults are. */
    private static final Map<String, String> PLACEMENT_HINTS = Map.of(
            "tandem.backend-defaults.url", "url goes in each backend, it has no default",
            "tandem.route-defaults.mirror.to", "to goes in each route's mirror { }, it has no default");
    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "[::]");

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[^\\s?#]*");
    private static final Pattern USER_INFO = Pattern.compile("//[^/]*@");
    /** Host names java.net.URI refuses, such as Docker Compose's {@code django_app}, with an optional port. */
    private static final Pattern LENIENT_AUTHORITY = Pattern.compile("([A-Za-z0-9._~-]+)(?::(\\d{1,5}))?");
    private static final int MAX_RENDERED = 80;

    private static final String URL_RULE = "http://host:port";
    private static final String ABSOLUTE_PATH_RULE = "a path starting with '/', without spaces, '?' or '#'";
    private static final String PERCENT_RULE = "a percentage in 0..100, such as 5 or 0.5";
    private static final String WEIGHT_RULE = "a whole-number weight in 0..100";
    private static final String ADMIN_TOKEN_REQUIRED = "required when admin.host is not loopback "
            + "(expected: a token, e.g. token = ${?TANDEM_ADMIN_TOKEN})";
    private static final String EXAMPLE_BACKEND = "django { url = \"http://127.0.0.1:8001\" }";
    private static final String EXAMPLE_ROUTE = "{ name = core, match { prefix = \"/\" }, backend = django }";
    private static final String EXAMPLE_SPLIT = "split { django = 90, fastapi = 10 }";
    private static final String EXAMPLE_STICKY = "sticky { cookie = \"sessionid\" }";
    private static final String EXAMPLE_MIRROR = "mirror { to = fastapi }";
    private static final String EXAMPLE_RATE_LIMIT = "rate-limit { requests-per-second = 100 }";

    private final Config config;
    private final Config reference;
    private final List<ConfigProblem> problems;
    /** Paths the structural check already reported; nothing at or below them is read. */
    private final Set<String> broken = new HashSet<>();
    /** Every declared backend name, valid or not, so that routes naming a broken backend do not cascade. */
    private final List<String> backendNames = new ArrayList<>();
    private boolean backendsReadable;

    private final List<String> declarationOrder;
    private final Path directory;
    private final SourceLines sources;

    private ConfigMapper(Config config, Config reference, List<String> declarationOrder, List<ConfigProblem> earlier,
            Path directory, SourceLines sources) {
        this.config = config;
        this.reference = reference;
        this.declarationOrder = declarationOrder;
        this.problems = new ArrayList<>(earlier);
        this.directory = directory;
        this.sources = sources;
    }

    /**
     * @param config           the layered config, resolved
     * @param reference        {@code reference.conf}, resolved: the schema of every fixed section
     * @param declarationOrder the backend names in the order the file declares them; others go last, by name
     * @param earlier          problems found while layering, reported together with the mapper's
     * @param directory        the directory a relative path in the config is relative to
     * @param sources          the text the config was parsed from, to order keys written on one line
     * @throws ConfigValidationException listing every problem, if there is any
     */
    static GatewayConfig map(Config config, Config reference, List<String> declarationOrder,
            List<ConfigProblem> earlier, Path directory, SourceLines sources) {
        ConfigMapper mapper = new ConfigMapper(config, reference, declarationOrder, earlier, directory, sources);
        GatewayConfig gateway = mapper.map();
        if (gateway == null || !mapper.problems.isEmpty()) {
            if (mapper.problems.isEmpty()) {
                mapper.problems.add(new ConfigProblem("tandem", "could not be mapped (expected: a complete config)", null));
            }
            throw new ConfigValidationException(mapper.problems);
        }
        return gateway;
    }

    private @Nullable GatewayConfig map() {
        checkTypes();
        Node tandem = section(new Node(config.root(), ""), "tandem", "an object");
        if (tandem == null) {
            return null;
        }
        ConfigObject schema = (ConfigObject) reference.root().get("tandem");
        checkKeys(tandem.object(), schema, "tandem", Set.of("backends"));

        ListenerConfig listen = listen(section(tandem, "listen", "an object"));
        AdminConfig admin = admin(section(tandem, "admin", "an object"));
        LimitsConfig limits = limits(section(tandem, "limits", "an object"));
        ProxyConfig proxy = proxy(section(tandem, "proxy", "an object"));
        AccessLogConfig accessLog = accessLog(section(tandem, "access-log", "an object"));
        MetricsConfig metrics = metrics(section(tandem, "metrics", "an object"));
        TrafficConfig traffic = traffic(section(tandem, "traffic", "an object"));
        Map<String, BackendConfig> backends = backends(tandem, schema);
        List<RouteConfig> routes = routes(tandem, schema);
        if (listen != null && admin != null) {
            checkPortsDiffer(listen, admin);
        }
        if (listen == null || admin == null || limits == null || proxy == null || accessLog == null || metrics == null
                || traffic == null || backends == null || routes == null) {
            return null;
        }
        return construct("tandem", () -> new GatewayConfig(listen, admin, limits, proxy, backends, routes, accessLog,
                metrics, traffic));
    }

    // ---- structure -------------------------------------------------------------------------------------------------

    /** Type-checks every fixed section against {@code reference.conf}: objects, lists and scalars where expected. */
    private void checkTypes() {
        try {
            config.checkValid(reference, "tandem");
        } catch (ConfigException.ValidationFailed e) {
            List<ConfigException.ValidationProblem> found = new ArrayList<>();
            e.problems().forEach(found::add);
            found.sort(Comparator.comparing(ConfigException.ValidationProblem::path));
            for (ConfigException.ValidationProblem problem : found) {
                broken.add(problem.path());
                ConfigValue expected = lookup(reference, problem.path());
                String rule = expected == null ? "a value" : describe(expected.valueType());
                add(problem.path(), render(lookup(config, problem.path())) + " (expected: " + rule + ")",
                        Origins.of(problem.origin()));
            }
        }
    }

    /** Reports keys of {@code actual} that {@code schema} lacks, recursing into objects present in both. */
    private void checkKeys(ConfigObject actual, ConfigObject schema, String path, Set<String> skip) {
        for (String key : new TreeSet<>(actual.keySet())) {
            ConfigValue value = actual.get(key);
            ConfigValue known = schema.get(key);
            String keyPath = join(path, key);
            if (known == null) {
                unknownKey(keyPath, key, new TreeSet<>(schema.keySet()), value);
            } else if (!skip.contains(key) && value instanceof ConfigObject object
                    && known instanceof ConfigObject knownObject) {
                checkKeys(object, knownObject, keyPath, Set.of());
            }
        }
    }

    private void unknownKey(String path, String key, Set<String> known, ConfigValue value) {
        String hint = DidYouMean.hint(key, known);
        String message = hint.isEmpty() ? "unknown key (expected: one of " + known + ")" : "unknown key (" + hint + ")";
        String placement = PLACEMENT_HINTS.get(path);
        if (placement != null) {
            message = "unknown key (expected: one of " + known + "; " + placement + ")";
        }
        add(path, message, Origins.of(value.origin()));
    }

    // ---- fixed sections --------------------------------------------------------------------------------------------

    private @Nullable ListenerConfig listen(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        String host = host(n, "host");
        Integer port = integer(n, "port", 0, 65535, Checks.PORT);
        Integer eventLoops = integer(n, "event-loops", 0, Integer.MAX_VALUE, Checks.EVENT_LOOPS);
        Duration idleTimeout = duration(n, "idle-timeout");
        Duration requestHeaderTimeout = duration(n, "request-header-timeout");
        Duration drainTimeout = duration(n, "drain-timeout");
        Integer maxConnections = integer(n, "max-connections", 1, Integer.MAX_VALUE, Checks.AT_LEAST_ONE);
        if (host == null || port == null || eventLoops == null || idleTimeout == null || requestHeaderTimeout == null
                || drainTimeout == null || maxConnections == null) {
            return null;
        }
        return construct(n.path(), () -> new ListenerConfig(
                host, port, eventLoops, idleTimeout, requestHeaderTimeout, drainTimeout, maxConnections));
    }

    private @Nullable AdminConfig admin(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        String host = host(n, "host");
        Integer port = integer(n, "port", 0, 65535, Checks.PORT);
        int before = problems.size();
        String token = token(n, "token");
        boolean tokenRead = problems.size() == before;
        if (host == null || port == null) {
            return null;
        }
        if (token == null && tokenRead && !Checks.isLoopback(host)) {
            // Point at the token if the deployment wrote one (empty), else at the host that made it necessary.
            ConfigValue written = n.get("token");
            ConfigValue cause = written != null && !Origins.isDefault(written.origin()) ? written : n.get("host");
            add(n.pathOf("token"), ADMIN_TOKEN_REQUIRED, origin(cause, n));
        }
        return construct(n.path(), () -> new AdminConfig(host, port, token));
    }

    /** The admin token: absent, null and "" all mean none. Its value never appears in a problem. */
    private @Nullable String token(Node n, String key) {
        ConfigValue value = n.get(key);
        if (value == null || value.valueType() == ConfigValueType.NULL || isBroken(n.pathOf(key))) {
            return null;
        }
        if (!isScalar(value)) {
            add(n.pathOf(key), describe(value.valueType()) + " (expected: a string)", origin(value, n));
            return null;
        }
        String token = n.config().getString(ConfigUtil.joinPath(key));
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                // The usual cause is a trailing newline read from a secret file.
                add(n.pathOf(key), "<redacted> (expected: a token without spaces or control characters)",
                        origin(value, n));
                return null;
            }
        }
        return token.isEmpty() ? null : token;
    }

    private @Nullable LimitsConfig limits(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        Long initialLine = size(n, "max-initial-line-length", Integer.MAX_VALUE);
        Long header = size(n, "max-header-size", Integer.MAX_VALUE);
        Long body = size(n, "max-request-body-size", Long.MAX_VALUE);
        if (initialLine == null || header == null || body == null) {
            return null;
        }
        return construct(n.path(), () -> new LimitsConfig(initialLine.intValue(), header.intValue(), body));
    }

    private @Nullable ProxyConfig proxy(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        String requestIdHeader = headerName(n, "request-id-header");
        Boolean preserveHost = bool(n, "preserve-host");
        boolean backendHeaderRead = true;
        String backendHeader = null;
        ConfigValue value = n.get("backend-header");
        if (value != null && value.valueType() != ConfigValueType.NULL && !"".equals(value.unwrapped())) {
            backendHeader = headerName(n, "backend-header");
            backendHeaderRead = backendHeader != null;
        }
        if (requestIdHeader == null || preserveHost == null || !backendHeaderRead) {
            return null;
        }
        String header = backendHeader;
        return construct(n.path(), () -> new ProxyConfig(requestIdHeader, preserveHost, header));
    }

    private @Nullable AccessLogConfig accessLog(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        Boolean enabled = bool(n, "enabled");
        return enabled == null ? null : new AccessLogConfig(enabled);
    }

    private @Nullable MetricsConfig metrics(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        Boolean enabled = bool(n, "enabled");
        return enabled == null ? null : new MetricsConfig(enabled);
    }

    private @Nullable TrafficConfig traffic(@Nullable Node n) {
        if (n == null) {
            return null;
        }
        boolean valid = true;
        String overrideHeader = null;
        if (isSet(n, "override-header")) {
            overrideHeader = headerName(n, "override-header");
            valid = overrideHeader != null;
        }
        Path stateFile = null;
        if (isSet(n, "state-file")) {
            stateFile = file(n, "state-file");
            valid &= stateFile != null;
        }
        if (!valid) {
            return null;
        }
        String header = overrideHeader;
        Path file = stateFile;
        return construct(n.path(), () -> new TrafficConfig(header, file));
    }

    /** A file to write: absolute as given, or resolved against {@link #directory}; never an existing directory. */
    private @Nullable Path file(Node n, String key) {
        String rule = "a file path, absolute or relative to the directory of the config file";
        String text = string(n, key, rule);
        if (text == null) {
            return null;
        }
        Path path;
        try {
            path = directory.resolve(text).normalize();
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || text.isBlank()) {
            fail(n, key, rule);
            return null;
        }
        if (Files.isDirectory(path)) {
            fail(n, key, rule + ", not a directory");
            return null;
        }
        return path;
    }

    private void checkPortsDiffer(ListenerConfig listen, AdminConfig admin) {
        boolean sameAddress = listen.host().equals(admin.host())
                || WILDCARD_HOSTS.contains(listen.host()) || WILDCARD_HOSTS.contains(admin.host());
        if (listen.port() != 0 && listen.port() == admin.port() && sameAddress) {
            ConfigValue value = lookup(config, "tandem.admin.port");
            add("tandem.admin.port", admin.port() + " (expected: a port other than tandem.listen.port's)",
                    value == null ? null : Origins.of(value.origin()));
        }
    }

    // ---- backends --------------------------------------------------------------------------------------------------

    /** What a backend takes from {@code tandem.backend-defaults} unless it sets it. */
    private record BackendSettings(Duration connectTimeout, Duration responseTimeout, PoolConfig pool,
            ResilienceConfig resilience, boolean shadowPipelining) {
    }

    /** A backend URL taken apart. */
    private record Endpoint(URI url, String host, int port) {
    }

    private @Nullable Map<String, BackendConfig> backends(Node tandem, ConfigObject schema) {
        Node defaults = section(tandem, "backend-defaults", "an object");
        if (defaults != null) {
            // Read on their own too, so that a bad default is reported even when there is no backend to take it.
            backendSettings(new Layered(null, defaults));
        }
        Node backends = section(tandem, "backends", "an object of backends by name, such as " + EXAMPLE_BACKEND);
        if (backends == null) {
            return null;
        }
        backendsReadable = true;
        List<Map.Entry<String, ConfigValue>> declared = new ArrayList<>(backends.object().entrySet());
        declared.sort(Comparator
                .comparingInt((Map.Entry<String, ConfigValue> e) -> declarationIndex(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        declared.forEach(e -> backendNames.add(e.getKey()));
        if (declared.isEmpty()) {
            add(backends.path(), "{} (expected: at least one backend, such as " + EXAMPLE_BACKEND + ")",
                    userOrigin(backends.object().origin()));
            return null;
        }

        ConfigObject backendSchema = ((ConfigObject) schema.get("backend-defaults"))
                .withValue("url", ConfigValueFactory.fromAnyRef(URL_RULE));
        Map<String, BackendConfig> result = new LinkedHashMap<>();
        boolean complete = true;
        for (Map.Entry<String, ConfigValue> entry : declared) {
            BackendConfig backend = backend(entry.getKey(), entry.getValue(), defaults, backendSchema);
            if (backend == null) {
                complete = false;
            } else {
                result.put(backend.name(), backend);
            }
        }
        return complete ? result : null;
    }

    private int declarationIndex(String backend) {
        int index = declarationOrder.indexOf(backend);
        return index < 0 ? Integer.MAX_VALUE : index;
    }

    private @Nullable BackendConfig backend(String name, ConfigValue value, @Nullable Node defaults,
            ConfigObject schema) {
        String path = join("tandem.backends", name);
        boolean valid = true;
        if (!Checks.isName(name)) {
            add(path, quote(name) + " (expected: a backend name of " + Checks.NAME + ")", Origins.of(value.origin()));
            valid = false;
        }
        if (!(value instanceof ConfigObject object)) {
            add(path, render(value) + " (expected: an object such as { url = \"http://127.0.0.1:8001\" })",
                    Origins.of(value.origin()));
            return null;
        }
        checkKeys(object, schema, path, Set.of());
        Node n = new Node(object, path);
        Endpoint endpoint = url(n);
        BackendSettings settings = backendSettings(new Layered(n, defaults));
        if (!valid || endpoint == null || settings == null) {
            return null;
        }
        return construct(path, () -> new BackendConfig(name, endpoint.url(), endpoint.host(), endpoint.port(),
                settings.pool(), settings.connectTimeout(), settings.responseTimeout(), settings.resilience(),
                settings.shadowPipelining()));
    }

    private @Nullable BackendSettings backendSettings(Layered l) {
        Duration connectTimeout = read(l, "connect-timeout", this::duration);
        Duration responseTimeout = read(l, "response-timeout", this::duration);
        PoolConfig pool = pool(child(l, "pool"));
        ResilienceConfig resilience = resilience(l);
        Boolean shadowPipelining = read(l, "shadow-pipelining", this::bool);
        if (connectTimeout == null || responseTimeout == null || pool == null || resilience == null
                || shadowPipelining == null) {
            return null;
        }
        return new BackendSettings(connectTimeout, responseTimeout, pool, resilience, shadowPipelining);
    }

    private @Nullable PoolConfig pool(@Nullable Layered l) {
        if (l == null) {
            return null;
        }
        Integer maxConnections = read(l, "max-connections", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        Integer maxPending = read(l, "max-pending", (n, k) -> atLeast(n, k, 0, Checks.NOT_NEGATIVE));
        Duration idleTimeout = read(l, "idle-timeout", this::duration);
        if (maxConnections == null || maxPending == null || idleTimeout == null) {
            return null;
        }
        return construct(l.path(), () -> new PoolConfig(maxConnections, maxPending, idleTimeout));
    }

    private @Nullable ResilienceConfig resilience(Layered l) {
        ResilienceConfig.CircuitBreakerConfig circuitBreaker = circuitBreaker(child(l, "circuit-breaker"));
        Integer maxConcurrent = read(l, "max-concurrent", (n, k) -> atLeast(n, k, 0, "0 (no limit) or more"));
        ResilienceConfig.RetryConfig retry = retry(child(l, "retry"));
        Optional<ResilienceConfig.HealthCheckConfig> healthCheck = healthCheck(child(l, "health-check"));
        if (circuitBreaker == null || maxConcurrent == null || retry == null || healthCheck == null) {
            return null;
        }
        return construct(l.path(), () -> new ResilienceConfig(circuitBreaker, maxConcurrent, retry,
                healthCheck.orElse(null)));
    }

    private ResilienceConfig.@Nullable CircuitBreakerConfig circuitBreaker(@Nullable Layered l) {
        if (l == null) {
            return null;
        }
        Boolean enabled = read(l, "enabled", this::bool);
        Integer failureRate = read(l, "failure-rate-threshold", (n, k) -> integer(n, k, 1, 100, Checks.RATE_PERCENT));
        Integer slowRate = read(l, "slow-call-rate-threshold", (n, k) -> integer(n, k, 1, 100, Checks.RATE_PERCENT));
        Duration slowCall = read(l, "slow-call-duration", this::duration);
        Integer window = read(l, "sliding-window-size", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        Integer minimumCalls = read(l, "minimum-calls", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        Duration waitInOpen = read(l, "wait-in-open", this::duration);
        Integer halfOpenCalls = read(l, "half-open-calls", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        boolean consistent = window == null || minimumCalls == null || minimumCalls <= window;
        if (!consistent) {
            crossField(l, "minimum-calls", "at most sliding-window-size, " + window,
                    "sliding-window-size", "at least minimum-calls, " + minimumCalls);
        }
        if (enabled == null || failureRate == null || slowRate == null || slowCall == null || window == null
                || minimumCalls == null || waitInOpen == null || halfOpenCalls == null || !consistent) {
            return null;
        }
        return construct(l.path(), () -> new ResilienceConfig.CircuitBreakerConfig(enabled, failureRate, slowRate,
                slowCall, window, minimumCalls, waitInOpen, halfOpenCalls));
    }

    private ResilienceConfig.@Nullable RetryConfig retry(@Nullable Layered l) {
        if (l == null) {
            return null;
        }
        Integer maxAttempts = read(l, "max-attempts", (n, k) -> integer(n, k, 1,
                ResilienceConfig.RetryConfig.MAX_ATTEMPTS, "1..10, where 1 means no retry"));
        Set<String> methods = read(l, "methods", (n, k) -> methods(n, k, "[GET, HEAD, OPTIONS]",
                m -> Checks.IDEMPOTENT_METHODS.contains(m) ? null : Checks.NOT_RETRIED));
        Duration backoff = read(l, "backoff", this::durationOrZero);
        Duration maxBackoff = read(l, "max-backoff", this::durationOrZero);
        Integer budget = read(l, "budget-percent", (n, k) -> integer(n, k, 0, 100, Checks.PERCENT));
        boolean consistent = backoff == null || maxBackoff == null || maxBackoff.compareTo(backoff) >= 0;
        if (!consistent) {
            crossField(l, "max-backoff", "at least backoff, " + ConfigReport.duration(backoff),
                    "backoff", "at most max-backoff, " + ConfigReport.duration(maxBackoff));
        }
        if (maxAttempts == null || methods == null || backoff == null || maxBackoff == null || budget == null
                || !consistent) {
            return null;
        }
        return construct(l.path(), () -> new ResilienceConfig.RetryConfig(maxAttempts, methods, backoff, maxBackoff,
                budget));
    }

    /** Empty when health checks are off: path null or "". */
    private @Nullable Optional<ResilienceConfig.HealthCheckConfig> healthCheck(@Nullable Layered l) {
        if (l == null) {
            return null;
        }
        String path = read(l, "path", this::healthPath);
        Duration interval = read(l, "interval", this::duration);
        Duration timeout = read(l, "timeout", this::duration);
        Integer unhealthyAfter = read(l, "unhealthy-after", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        Integer healthyAfter = read(l, "healthy-after", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        boolean consistent = interval == null || timeout == null || timeout.compareTo(interval) < 0;
        if (!consistent) {
            crossField(l, "timeout", "shorter than interval, " + ConfigReport.duration(interval),
                    "interval", "longer than timeout, " + ConfigReport.duration(timeout));
        }
        if (path == null || interval == null || timeout == null || unhealthyAfter == null || healthyAfter == null
                || !consistent) {
            return null;
        }
        if (path.isEmpty()) {
            return Optional.empty();
        }
        ResilienceConfig.HealthCheckConfig check = construct(l.path(), () -> new ResilienceConfig.HealthCheckConfig(
                path, interval, timeout, unhealthyAfter, healthyAfter));
        return check == null ? null : Optional.of(check);
    }

    /** A health check path, or "" for none (null or ""). */
    private @Nullable String healthPath(Node n, String key) {
        if (!isSet(n, key)) {
            return isBroken(n.pathOf(key)) ? null : "";
        }
        String rule = Checks.REQUEST_PATH + ", such as \"/healthz\"; or null for no health checks";
        String path = string(n, key, rule);
        if (path != null && (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            fail(n, key, rule);
            return null;
        }
        return path;
    }

    private @Nullable Endpoint url(Node n) {
        String path = n.pathOf("url");
        ConfigValue value = n.get("url");
        if (isBroken(path)) {
            return null;
        }
        if (value == null || !isScalar(value)) {
            fail(n, "url", URL_RULE);
            return null;
        }
        String text = n.config().getString("url").trim();
        // Credentials must not reach a log through a problem message.
        String shown = quote(USER_INFO.matcher(text).replaceFirst("//<redacted>@"));
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            add(path, shown + " (expected: " + URL_RULE + "; " + e.getReason() + ")", origin(value, n));
            return null;
        }
        String scheme = url.getScheme();
        String problem = null;
        if ("https".equalsIgnoreCase(scheme)) {
            problem = shown + " not supported yet (expected: " + URL_RULE + ")";
        } else if (scheme == null || url.isOpaque() || !"http".equalsIgnoreCase(scheme)) {
            problem = shown + " (expected: " + URL_RULE + ")";
        } else if (url.getRawUserInfo() != null) {
            problem = shown + " (expected: " + URL_RULE + " without user info)";
        } else if (url.getRawQuery() != null || url.getRawFragment() != null) {
            problem = shown + " (expected: " + URL_RULE + "[/base-path] without query or fragment)";
        }
        if (problem != null) {
            add(path, problem, origin(value, n));
            return null;
        }
        String host = url.getHost();
        int port = url.getPort();
        if (host == null) {
            String authority = url.getRawAuthority();
            Matcher lenient = authority == null ? null : LENIENT_AUTHORITY.matcher(authority);
            if (lenient == null || !lenient.matches()) {
                add(path, shown + " (expected: " + URL_RULE + " with a host)", origin(value, n));
                return null;
            }
            host = lenient.group(1);
            port = lenient.group(2) == null ? -1 : Integer.parseInt(lenient.group(2));
        }
        if (port == -1) {
            port = 80;
        }
        if (port < 1 || port > 65535) {
            add(path, shown + " (expected: " + URL_RULE + " with " + Checks.BACKEND_PORT + ")", origin(value, n));
            return null;
        }
        return new Endpoint(url, host, port);
    }

    // ---- routes ----------------------------------------------------------------------------------------------------

    /** What a route's mirror takes from {@code tandem.route-defaults.mirror} unless it sets it. */
    private record MirrorSettings(double percent, Set<String> methods, long maxBody, int maxInFlight,
            MirrorConfig.CompareConfig compare) {
    }

    /** A route's name and predicate: all the unreachable-route analysis needs. */
    private record Matched(String name, MatchConfig match) {
    }

    private @Nullable List<RouteConfig> routes(Node tandem, ConfigObject schema) {
        Node mirrorDefaults = mirrorDefaults(tandem);
        String path = tandem.pathOf("routes");
        if (isBroken(path)) {
            return null;
        }
        ConfigValue value = tandem.get("routes");
        if (!(value instanceof ConfigList list)) {
            fail(tandem, "routes", "a list of routes, such as [" + EXAMPLE_ROUTE + "]");
            return null;
        }
        if (list.isEmpty()) {
            add(path, "[] (expected: at least one route, such as " + EXAMPLE_ROUTE + ")", userOrigin(list.origin()));
            return null;
        }
        ConfigObject mirrorSchema = ((ConfigObject) ((ConfigObject) schema.get("route-defaults")).get("mirror"))
                .withValue("to", ConfigValueFactory.fromAnyRef("a backend"));
        List<@Nullable RouteConfig> read = new ArrayList<>();
        List<@Nullable Matched> matched = new ArrayList<>();
        Map<String, String> firstPathByName = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            int index = i;
            matched.add(null);
            read.add(route(path + "[" + i + "]", list.get(i), firstPathByName, mirrorDefaults, mirrorSchema,
                    m -> matched.set(index, m)));
        }
        checkReachable(matched, list, path);
        List<RouteConfig> routes = new ArrayList<>();
        for (RouteConfig route : read) {
            if (route == null) {
                return null;
            }
            routes.add(route);
        }
        return routes;
    }

    /** {@code tandem.route-defaults.mirror}, read on its own too, so that a bad default is reported once. */
    private @Nullable Node mirrorDefaults(Node tandem) {
        Node routeDefaults = section(tandem, "route-defaults", "an object");
        Node mirror = routeDefaults == null ? null : section(routeDefaults, "mirror", "an object");
        if (mirror != null) {
            mirrorSettings(new Layered(null, mirror));
        }
        return mirror;
    }

    /**
     * @param matched takes the route's name and predicate when both are valid, even if the rest is not, so that the
     *                unreachable-route analysis still covers the route
     */
    private @Nullable RouteConfig route(String path, ConfigValue value, Map<String, String> firstPathByName,
            @Nullable Node mirrorDefaults, ConfigObject mirrorSchema, Consumer<Matched> matched) {
        if (!(value instanceof ConfigObject object)) {
            add(path, render(value) + " (expected: a route such as " + EXAMPLE_ROUTE + ")", Origins.of(value.origin()));
            return null;
        }
        Node n = new Node(object, path);
        for (String key : new TreeSet<>(object.keySet())) {
            if (ROUTE_KEYS.contains(key)) {
                continue;
            }
            if (MATCH_KEYS.contains(key)) {
                add(n.pathOf(key), "unknown key (expected: one of " + ROUTE_KEYS + "; " + key
                        + " goes inside match { })", Origins.of(object.get(key).origin()));
            } else {
                unknownKey(n.pathOf(key), key, new LinkedHashSet<>(ROUTE_KEYS), object.get(key));
            }
        }
        String name = routeName(n, firstPathByName);
        Map<String, Integer> weights = weights(n);
        MatchConfig match = match(n);
        if (name != null && match != null) {
            matched.accept(new Matched(name, match));
        }
        StickyConfig sticky = sticky(n);
        Optional<String> fallback = fallback(n, weights);
        Optional<Duration> timeout = timeout(n);
        Optional<RateLimitConfig> rateLimit = rateLimit(n);
        Optional<MirrorConfig> mirror = mirror(n, mirrorDefaults, mirrorSchema, weights);
        if (name == null || weights == null || match == null || sticky == null || fallback == null || timeout == null
                || rateLimit == null || mirror == null) {
            return null;
        }
        return construct(path, () -> new RouteConfig(name, match, weights, sticky, fallback.orElse(null),
                timeout.orElse(null), rateLimit.orElse(null), mirror.orElse(null)));
    }

    private @Nullable String routeName(Node n, Map<String, String> firstPathByName) {
        String rule = "a unique route name of " + Checks.NAME;
        String name = string(n, "name", rule);
        if (name == null) {
            return null;
        }
        if (!Checks.isName(name)) {
            fail(n, "name", rule);
            return null;
        }
        String first = firstPathByName.putIfAbsent(name, n.path());
        if (first != null) {
            fail(n, "name", "a unique route name; " + first + " is already named " + quote(name));
            return null;
        }
        return name;
    }

    /** {@code backend = django} as {@code {django=100}}, or the weights of {@code split { ... }}. */
    private @Nullable Map<String, Integer> weights(Node route) {
        boolean hasBackend = isPresent(route, "backend");
        boolean hasSplit = isPresent(route, "split");
        if (hasBackend && hasSplit) {
            add(route.path(), "backend and split are both set (expected: exactly one of backend or split)",
                    Origins.of(route.object().origin()));
            return null;
        }
        if (hasSplit) {
            return split(route);
        }
        String backend = backendName(route, "backend", "the name of a backend, or a split such as " + EXAMPLE_SPLIT);
        return backend == null ? null : Map.of(backend, 100);
    }

    private @Nullable Map<String, Integer> split(Node route) {
        Node n = section(route, "split", "an object of backend weights, such as " + EXAMPLE_SPLIT);
        if (n == null) {
            return null;
        }
        if (n.object().isEmpty()) {
            add(n.path(), "{} (expected: at least one backend weight, such as " + EXAMPLE_SPLIT + ")",
                    Origins.of(n.object().origin()));
            return null;
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        boolean valid = true;
        for (String backend : inWrittenOrder(n.object(), "split")) {
            boolean known = isKnownBackend(backend);
            if (!known) {
                add(n.pathOf(backend), quote(backend) + " (expected: " + knownBackends(backend) + ")",
                        Origins.of(n.object().get(backend).origin()));
            }
            Integer weight = integer(n, backend, 0, 100, WEIGHT_RULE);
            if (!known || weight == null) {
                valid = false;
            } else {
                weights.put(backend, weight);
            }
        }
        if (!valid) {
            return null;
        }
        int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
        if (sum != 100) {
            StringBuilder terms = new StringBuilder();
            weights.forEach((backend, weight) ->
                    terms.append(terms.length() == 0 ? "" : " + ").append(backend).append(' ').append(weight));
            add(n.path(), terms + " = " + sum + " (expected: weights that sum to 100)", Origins.of(n.object().origin()));
            return null;
        }
        return weights;
    }

    /**
     * The keys of {@code object} in the order they were written: by line, then by place on a shared line (found in
     * the source text after {@code keyword}), then by name when the text is not at hand.
     */
    private List<String> inWrittenOrder(ConfigObject object, String keyword) {
        List<String> keys = new ArrayList<>(object.keySet());
        keys.sort(Comparator.comparingInt((String key) -> object.get(key).origin().lineNumber())
                .thenComparingInt(key -> sources.column(object.get(key).origin(), key, keyword))
                .thenComparing(Comparator.naturalOrder()));
        return keys;
    }

    private @Nullable StickyConfig sticky(Node route) {
        ConfigValue value = route.get("sticky");
        if (value == null || value.valueType() == ConfigValueType.NULL
                || value.valueType() == ConfigValueType.STRING && "none".equals(value.unwrapped())) {
            return StickyConfig.NONE;
        }
        if (!(value instanceof ConfigObject object)) {
            fail(route, "sticky", "none, or an object with one of " + STICKY_KEYS + ", such as " + EXAMPLE_STICKY);
            return null;
        }
        Node n = new Node(object, route.pathOf("sticky"));
        boolean valid = true;
        for (String key : new TreeSet<>(object.keySet())) {
            if (!STICKY_KEYS.contains(key)) {
                unknownKey(n.pathOf(key), key, new LinkedHashSet<>(STICKY_KEYS), object.get(key));
                // A misspelt kind is the one problem; "none is set" would only repeat it.
                valid = false;
            }
        }
        List<String> kinds = new ArrayList<>();
        for (String kind : STICKY_KEYS) {
            if (!isPresent(n, kind)) {
                continue;
            }
            if (kind.equals("client-ip")) {
                Boolean clientIp = bool(n, kind);
                valid &= clientIp != null;
                if (Boolean.TRUE.equals(clientIp)) {
                    kinds.add(kind);
                }
            } else {
                kinds.add(kind);
            }
        }
        if (!valid && kinds.size() <= 1) {
            return null;
        }
        if (kinds.size() != 1) {
            String found = kinds.isEmpty() ? "none of cookie, header and client-ip is set"
                    : String.join(" and ", kinds) + " are both set";
            add(n.path(), found + " (expected: exactly one of cookie, header or client-ip = true, or sticky = none)",
                    Origins.of(object.origin()));
            return null;
        }
        return switch (kinds.get(0)) {
            case "cookie" -> {
                String rule = "a cookie name, " + Checks.TOKEN;
                String cookie = string(n, "cookie", rule);
                if (cookie != null && !Checks.isToken(cookie)) {
                    fail(n, "cookie", rule);
                    cookie = null;
                }
                yield cookie == null ? null : new StickyConfig(StickyConfig.Kind.COOKIE, cookie);
            }
            case "header" -> {
                String header = headerName(n, "header");
                yield header == null ? null : new StickyConfig(StickyConfig.Kind.HEADER, header);
            }
            default -> new StickyConfig(StickyConfig.Kind.CLIENT_IP, null);
        };
    }

    private @Nullable Optional<String> fallback(Node route, @Nullable Map<String, Integer> weights) {
        if (!isPresent(route, "fallback")) {
            return Optional.empty();
        }
        String fallback = backendName(route, "fallback", "the name of a backend");
        if (fallback == null) {
            return null;
        }
        if (weights != null && isOnlyBackend(weights, fallback)) {
            fail(route, "fallback", "a backend other than the route's only backend, " + fallback);
            return null;
        }
        return Optional.of(fallback);
    }

    private @Nullable Optional<Duration> timeout(Node route) {
        if (!isPresent(route, "timeout")) {
            return Optional.empty();
        }
        Duration timeout = duration(route, "timeout");
        return timeout == null ? null : Optional.of(timeout);
    }

    private @Nullable Optional<RateLimitConfig> rateLimit(Node route) {
        if (!isPresent(route, "rate-limit")) {
            return Optional.empty();
        }
        Node n = section(route, "rate-limit", "an object such as " + EXAMPLE_RATE_LIMIT);
        if (n == null) {
            return null;
        }
        for (String key : new TreeSet<>(n.object().keySet())) {
            if (!RATE_LIMIT_KEYS.contains(key)) {
                unknownKey(n.pathOf(key), key, new LinkedHashSet<>(RATE_LIMIT_KEYS), n.object().get(key));
            }
        }
        Integer requestsPerSecond = atLeast(n, "requests-per-second", 1, Checks.AT_LEAST_ONE);
        if (requestsPerSecond == null) {
            return null;
        }
        RateLimitConfig limit = construct(n.path(), () -> new RateLimitConfig(requestsPerSecond));
        return limit == null ? null : Optional.of(limit);
    }

    private @Nullable Optional<MirrorConfig> mirror(Node route, @Nullable Node defaults, ConfigObject schema,
            @Nullable Map<String, Integer> weights) {
        if (!isPresent(route, "mirror")) {
            return Optional.empty();
        }
        Node n = section(route, "mirror", "an object such as " + EXAMPLE_MIRROR);
        if (n == null) {
            return null;
        }
        checkKeys(n.object(), schema, n.path(), Set.of());
        String to = backendName(n, "to", "the backend to mirror to, such as " + EXAMPLE_MIRROR);
        if (to != null && weights != null && isOnlyBackend(weights, to)) {
            fail(n, "to", "a backend other than the route's only backend, " + to);
            return null;
        }
        MirrorSettings settings = mirrorSettings(new Layered(n, defaults));
        if (to == null || settings == null) {
            return null;
        }
        MirrorConfig mirror = construct(n.path(), () -> new MirrorConfig(to, settings.percent(), settings.methods(),
                settings.maxBody(), settings.maxInFlight(), settings.compare()));
        return mirror == null ? null : Optional.of(mirror);
    }

    private @Nullable MirrorSettings mirrorSettings(Layered l) {
        Double percent = read(l, "percent", this::percent);
        Boolean allowWrites = read(l, "allow-writes", this::bool);
        // With allow-writes unreadable (already reported), the methods are only checked for their syntax.
        Function<String, @Nullable String> refusal = Boolean.FALSE.equals(allowWrites)
                ? m -> Checks.SAFE_METHODS.contains(m) ? null : Checks.MIRRORED_WRITE
                : m -> null;
        Set<String> methods = read(l, "methods", (n, k) -> methods(n, k, "[GET, HEAD]", refusal));
        Long maxBody = read(l, "max-body", (n, k) -> size(n, k, 0, Long.MAX_VALUE,
                "a size of 0 or more, in bytes or with a unit such as 512k or 16m"));
        Integer maxInFlight = read(l, "max-in-flight", (n, k) -> atLeast(n, k, 1, Checks.AT_LEAST_ONE));
        MirrorConfig.CompareConfig compare = compare(child(l, "compare"));
        if (percent == null || allowWrites == null || methods == null || maxBody == null || maxInFlight == null
                || compare == null) {
            return null;
        }
        return new MirrorSettings(percent, methods, maxBody, maxInFlight, compare);
    }

    private MirrorConfig.@Nullable CompareConfig compare(@Nullable Layered l) {
        if (l == null) {
            return null;
        }
        List<String> ignoreFields = read(l, "ignore-fields", (n, k) -> strings(n, k,
                "a list of JSON field names or dotted paths, such as [updated_at, results.0.id]",
                "a field name or dotted path", s -> !s.isBlank(), UnaryOperator.identity()));
        List<String> headers = read(l, "headers", (n, k) -> strings(n, k,
                "a list of header names, such as [content-type]", "a header name, " + Checks.TOKEN,
                Checks::isToken, Checks::lowerCase));
        Boolean decimalAsString = read(l, "decimal-as-string", this::bool);
        Boolean timestampZone = read(l, "timestamp-zone", this::bool);
        Boolean nullEqualsMissing = read(l, "null-equals-missing", this::bool);
        Boolean redirectCodes = read(l, "redirect-codes", this::bool);
        Boolean validationStatus = read(l, "validation-status", this::bool);
        Double noiseSample = read(l, "noise-sample-percent", this::percent);
        if (ignoreFields == null || headers == null || decimalAsString == null || timestampZone == null
                || nullEqualsMissing == null || redirectCodes == null || validationStatus == null
                || noiseSample == null) {
            return null;
        }
        return construct(l.path(), () -> new MirrorConfig.CompareConfig(ignoreFields, headers, decimalAsString,
                timestampZone, nullEqualsMissing, redirectCodes, validationStatus, noiseSample));
    }

    private static boolean isOnlyBackend(Map<String, Integer> weights, String backend) {
        return weights.size() == 1 && weights.containsKey(backend);
    }

    /** A backend name that must be declared; suggests the closest declared one. */
    private @Nullable String backendName(Node n, String key, String rule) {
        String backend = string(n, key, rule);
        if (backend == null) {
            return null;
        }
        if (!isKnownBackend(backend)) {
            fail(n, key, knownBackends(backend));
            return null;
        }
        return backend;
    }

    /** With no readable backends there is nothing to compare against, and that problem is already reported. */
    private boolean isKnownBackend(String backend) {
        return !backendsReadable || backendNames.isEmpty() || backendNames.contains(backend);
    }

    private String knownBackends(String wrong) {
        String hint = DidYouMean.hint(wrong, backendNames);
        return "one of " + backendNames + (hint.isEmpty() ? "" : "; " + hint);
    }

    private @Nullable MatchConfig match(Node route) {
        Node n = section(route, "match",
                "an object with exactly one of path, prefix or regex, such as match { prefix = \"/api\" }");
        if (n == null) {
            return null;
        }
        for (String key : new TreeSet<>(n.object().keySet())) {
            if (!MATCH_KEYS.contains(key)) {
                unknownKey(n.pathOf(key), key, new LinkedHashSet<>(MATCH_KEYS), n.object().get(key));
            }
        }
        List<String> kinds = new ArrayList<>();
        for (String kind : MATCH_KINDS) {
            ConfigValue value = n.get(kind);
            if (value != null && value.valueType() != ConfigValueType.NULL) {
                kinds.add(kind);
            }
        }
        Set<String> methods = isPresent(n, "methods") ? methods(n, "methods", "[GET, POST]", m -> null) : Set.of();
        List<MatchConfig.HeaderMatch> headers = headers(n);
        if (kinds.size() != 1) {
            String found = switch (kinds.size()) {
                case 0 -> "none of path, prefix and regex is set";
                case 2 -> kinds.get(0) + " and " + kinds.get(1) + " are both set";
                default -> "path, prefix and regex are all set";
            };
            add(n.path(), found + " (expected: exactly one of path, prefix or regex)", Origins.of(n.object().origin()));
            return null;
        }
        String kind = kinds.get(0);
        String text = string(n, kind, kind.equals("regex") ? "a regular expression" : ABSOLUTE_PATH_RULE);
        if (text == null) {
            return null;
        }
        String path = null;
        String prefix = null;
        Pattern regex = null;
        if (kind.equals("regex")) {
            try {
                regex = Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                fail(n, kind, "a valid regular expression; " + e.getDescription() + " near index " + e.getIndex());
                return null;
            }
        } else if (!ABSOLUTE_PATH.matcher(text).matches()) {
            fail(n, kind, ABSOLUTE_PATH_RULE);
            return null;
        } else if (kind.equals("path")) {
            path = text;
        } else {
            prefix = Checks.normalizePrefix(text);
        }
        if (methods == null || headers == null) {
            return null;
        }
        String exact = path;
        String segments = prefix;
        Pattern pattern = regex;
        return construct(n.path(), () -> new MatchConfig(exact, segments, pattern, methods, headers));
    }


    /**
     * A list of methods, upper-cased. {@code refusal} says why a valid method may not be listed here (the message
     * after the value), or returns null when it may.
     */
    private @Nullable Set<String> methods(Node n, String key, String example,
            Function<String, @Nullable String> refusal) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        if (!(n.get(key) instanceof ConfigList list)) {
            fail(n, key, "a list of methods, such as " + example);
            return null;
        }
        Set<String> methods = new LinkedHashSet<>();
        boolean valid = true;
        for (int i = 0; i < list.size(); i++) {
            ConfigValue method = list.get(i);
            String path = n.pathOf(key) + "[" + i + "]";
            if (method.valueType() == ConfigValueType.STRING && Checks.isToken((String) method.unwrapped())) {
                String upper = Checks.upperCase((String) method.unwrapped());
                String refused = refusal.apply(upper);
                if (refused == null) {
                    methods.add(upper);
                } else {
                    add(path, render(method) + " " + refused, Origins.of(method.origin()));
                    valid = false;
                }
            } else {
                add(path, render(method) + " (expected: an HTTP method such as GET)", Origins.of(method.origin()));
                valid = false;
            }
        }
        return valid ? methods : null;
    }

    private @Nullable List<MatchConfig.HeaderMatch> headers(Node match) {
        ConfigValue value = match.get("headers");
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return List.of();
        }
        if (!(value instanceof ConfigObject object)) {
            fail(match, "headers", "an object of header names and values, such as headers { \"X-Api-Key\" = \"*\" }");
            return null;
        }
        Node n = new Node(object, match.pathOf("headers"));
        List<String> names = new ArrayList<>(object.keySet());
        names.sort(String.CASE_INSENSITIVE_ORDER.thenComparing(Comparator.naturalOrder()));
        List<MatchConfig.HeaderMatch> headers = new ArrayList<>();
        boolean valid = true;
        for (String name : names) {
            ConfigValue header = object.get(name);
            if (!Checks.isToken(name)) {
                add(n.pathOf(name), quote(name) + " (expected: a header name, " + Checks.TOKEN + ")",
                        Origins.of(header.origin()));
                valid = false;
                continue;
            }
            String rule = "a header value, or \"*\" for any value";
            String text = string(n, name, rule);
            if (text == null) {
                valid = false;
            } else if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
                fail(n, name, rule + ", without CR, LF or NUL");
                valid = false;
            } else {
                headers.add(new MatchConfig.HeaderMatch(name, text.equals("*") ? null : text));
            }
        }
        return valid ? headers : null;
    }

    /** Reports each route that an earlier route always takes first. Routes whose match failed to read are skipped. */
    private void checkReachable(List<@Nullable Matched> routes, ConfigList list, String path) {
        for (int i = 1; i < routes.size(); i++) {
            Matched later = routes.get(i);
            if (later == null) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                Matched earlier = routes.get(j);
                if (earlier != null && covers(earlier.match(), later.match())) {
                    add(path + "[" + i + "]", "unreachable: shadowed by route '" + earlier.name() + "' at " + path
                            + "[" + j + "] (expected: more specific routes first)", Origins.of(list.get(i).origin()));
                    break;
                }
            }
        }
    }

    /** Whether every request {@code later} matches is matched by {@code earlier} as well. */
    static boolean covers(MatchConfig earlier, MatchConfig later) {
        return coversPath(earlier, later) && coversMethods(earlier, later) && coversHeaders(earlier, later);
    }

    private static boolean coversPath(MatchConfig earlier, MatchConfig later) {
        String laterPath = later.path() != null ? later.path() : later.prefix();
        if (earlier.prefix() != null) {
            String prefix = earlier.prefix();
            return prefix.equals("/")
                    || laterPath != null && (laterPath.equals(prefix) || laterPath.startsWith(prefix + "/"));
        }
        if (earlier.path() != null) {
            return earlier.path().equals(later.path());
        }
        Pattern regex = earlier.regex();
        if (regex == null) {
            return false;
        }
        if (later.regex() != null) {
            return regex.pattern().equals(later.regex().pattern());
        }
        return later.path() != null && regex.matcher(later.path()).matches();
    }

    private static boolean coversMethods(MatchConfig earlier, MatchConfig later) {
        return earlier.methods().isEmpty()
                || !later.methods().isEmpty() && earlier.methods().containsAll(later.methods());
    }

    private static boolean coversHeaders(MatchConfig earlier, MatchConfig later) {
        for (MatchConfig.HeaderMatch required : earlier.headers()) {
            boolean implied = later.headers().stream().anyMatch(h -> h.name().equalsIgnoreCase(required.name())
                    && (required.value() == null || required.value().equals(h.value())));
            if (!implied) {
                return false;
            }
        }
        return true;
    }

    // ---- readers ---------------------------------------------------------------------------------------------------

    /** An object in the config and the path it is reported under. */
    private record Node(ConfigObject object, String path) {

        @Nullable ConfigValue get(String key) {
            return object.get(key);
        }

        String pathOf(String key) {
            return join(path, key);
        }

        Config config() {
            return object.toConfig();
        }
    }

    /**
     * A block merged over its defaults, such as {@code tandem.backends.django.retry} over
     * {@code tandem.backend-defaults.retry}: each key is read where it is set, the block itself first. A default is so
     * read, and a bad one reported, at its own path whichever block falls back to it; {@link #add} drops the repeats.
     *
     * @param own      the block itself, or null to read the defaults alone
     * @param defaults the defaults, or null when they are not an object (already reported)
     */
    private record Layered(@Nullable Node own, @Nullable Node defaults) {

        @Nullable Node nodeFor(String key) {
            return own != null && own.object().containsKey(key) ? own : defaults;
        }

        String path() {
            return own != null ? own.path() : defaults != null ? defaults.path() : "";
        }
    }

    /** Reads one value of a node. */
    @FunctionalInterface
    private interface Reader<T> {
        @Nullable T read(Node n, String key);
    }

    private <T> @Nullable T read(Layered l, String key, Reader<T> reader) {
        Node n = l.nodeFor(key);
        return n == null ? null : reader.read(n, key);
    }

    /** The block under {@code key}, layered the same way; null, after a problem, if the block sets it to a non-object. */
    private @Nullable Layered child(Layered l, String key) {
        Node own = null;
        if (l.own() != null && l.own().object().containsKey(key)) {
            own = section(l.own(), key, "an object");
            if (own == null) {
                return null;
            }
        }
        Node defaults = l.defaults() == null ? null : section(l.defaults(), key, "an object");
        return new Layered(own, defaults);
    }

    /**
     * Reports a rule between two settings of a layered block at the one the deployment changed: the block's own
     * setting before one it takes from the defaults, and a written one before one from {@code reference.conf}; at
     * {@code key} when that does not decide.
     */
    private void crossField(Layered l, String key, String keyRule, String other, String otherRule) {
        Node keyNode = l.nodeFor(key);
        Node otherNode = l.nodeFor(other);
        if (otherNode != null && (keyNode == null || written(l, otherNode, other) > written(l, keyNode, key))) {
            fail(otherNode, other, otherRule);
        } else if (keyNode != null) {
            fail(keyNode, key, keyRule);
        }
    }

    private static int written(Layered l, Node n, String key) {
        ConfigValue value = n.get(key);
        return (n == l.own() ? 2 : 0) + (value != null && !Origins.isDefault(value.origin()) ? 1 : 0);
    }

    private @Nullable Node section(Node parent, String key, String expected) {
        String path = parent.pathOf(key);
        if (isBroken(path)) {
            return null;
        }
        if (parent.get(key) instanceof ConfigObject object) {
            return new Node(object, path);
        }
        fail(parent, key, expected);
        return null;
    }

    /** Whether the key has a value other than null. */
    private static boolean isPresent(Node n, String key) {
        ConfigValue value = n.get(key);
        return value != null && value.valueType() != ConfigValueType.NULL;
    }

    /** Whether the key has a value other than null and "", which both mean "off" for optional strings. */
    private static boolean isSet(Node n, String key) {
        return isPresent(n, key) && !"".equals(n.get(key).unwrapped());
    }

    private @Nullable Integer atLeast(Node n, String key, long min, String expected) {
        return integer(n, key, min, Integer.MAX_VALUE, expected);
    }

    private @Nullable Integer integer(Node n, String key, long min, long max, String expected) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        Long number = null;
        if (value != null && (value.unwrapped() instanceof Integer || value.unwrapped() instanceof Long)) {
            number = ((Number) value.unwrapped()).longValue();
        } else if (value != null && value.unwrapped() instanceof String s && INTEGER.matcher(s.trim()).matches()) {
            try {
                number = Long.parseLong(s.trim());
            } catch (NumberFormatException tooLong) {
                number = null;
            }
        }
        if (number == null || number < min || number > max) {
            fail(n, key, expected);
            return null;
        }
        return number.intValue();
    }

    /** A percentage in 0..100, fractions allowed. */
    private @Nullable Double percent(Node n, String key) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        Double number = null;
        if (value != null && value.valueType() == ConfigValueType.NUMBER) {
            number = ((Number) value.unwrapped()).doubleValue();
        } else if (value != null && value.unwrapped() instanceof String s && DECIMAL.matcher(s.trim()).matches()) {
            number = Double.parseDouble(s.trim());
        }
        if (number == null || !(number >= 0 && number <= 100)) {
            fail(n, key, PERCENT_RULE);
            return null;
        }
        return number;
    }

    /** A positive duration. A bare number is refused: HOCON would read {@code 60} as 60 milliseconds. */
    private @Nullable Duration duration(Node n, String key) {
        return duration(n, key, false);
    }

    /** A duration of 0 or more, with a unit. */
    private @Nullable Duration durationOrZero(Node n, String key) {
        return duration(n, key, true);
    }

    private @Nullable Duration duration(Node n, String key, boolean zeroAllowed) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value != null && value.valueType() == ConfigValueType.STRING) {
            try {
                Duration duration = n.config().getDuration(ConfigUtil.joinPath(key));
                if (zeroAllowed ? Checks.isNotNegative(duration) : Checks.isPositive(duration)) {
                    return duration;
                }
            } catch (ConfigException notADuration) {
                // Reported below, with the rule.
            }
        }
        fail(n, key, zeroAllowed ? Checks.NOT_NEGATIVE_DURATION : Checks.POSITIVE_DURATION);
        return null;
    }

    private @Nullable Long size(Node n, String key, long max) {
        return size(n, key, 1, max, Checks.POSITIVE_SIZE + (max == Integer.MAX_VALUE ? ", below 2g" : ""));
    }

    private @Nullable Long size(Node n, String key, long min, long max, String expected) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value != null && (value.valueType() == ConfigValueType.STRING
                || value.valueType() == ConfigValueType.NUMBER)) {
            try {
                long bytes = n.config().getBytes(ConfigUtil.joinPath(key));
                if (bytes >= min && bytes <= max) {
                    return bytes;
                }
            } catch (ConfigException notASize) {
                // Reported below, with the rule.
            }
        }
        fail(n, key, expected);
        return null;
    }

    private @Nullable Boolean bool(Node n, String key) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value != null && isScalar(value)) {
            try {
                return n.config().getBoolean(ConfigUtil.joinPath(key));
            } catch (ConfigException notABoolean) {
                // Reported below, with the rule.
            }
        }
        fail(n, key, "true or false");
        return null;
    }

    /** A required string; numbers and booleans are taken as written. */
    private @Nullable String string(Node n, String key, String expected) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value == null || !isScalar(value)) {
            fail(n, key, expected);
            return null;
        }
        return n.config().getString(ConfigUtil.joinPath(key));
    }

    /** A list of strings (numbers taken as written), each passing {@code valid}, each normalised. */
    private @Nullable List<String> strings(Node n, String key, String listRule, String elementRule,
            Predicate<String> valid, UnaryOperator<String> normalize) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        if (!(n.get(key) instanceof ConfigList list)) {
            fail(n, key, listRule);
            return null;
        }
        List<String> strings = new ArrayList<>();
        boolean allValid = true;
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            boolean text = element.valueType() == ConfigValueType.STRING
                    || element.valueType() == ConfigValueType.NUMBER;
            if (text && valid.test(String.valueOf(element.unwrapped()))) {
                strings.add(normalize.apply(String.valueOf(element.unwrapped())));
            } else {
                add(n.pathOf(key) + "[" + i + "]", render(element) + " (expected: " + elementRule + ")",
                        Origins.of(element.origin()));
                allValid = false;
            }
        }
        return allValid ? strings : null;
    }

    private @Nullable String host(Node n, String key) {
        String rule = "a host name or address";
        String host = string(n, key, rule);
        if (host != null && (host.isBlank() || host.chars().anyMatch(Character::isWhitespace))) {
            fail(n, key, rule);
            return null;
        }
        return host;
    }

    private @Nullable String headerName(Node n, String key) {
        String name = string(n, key, "a header name, " + Checks.TOKEN);
        if (name != null && !Checks.isToken(name)) {
            fail(n, key, "a header name, " + Checks.TOKEN);
            return null;
        }
        return name;
    }

    // ---- problems --------------------------------------------------------------------------------------------------

    private void fail(Node n, String key, String expected) {
        ConfigValue value = n.get(key);
        add(n.pathOf(key), render(value) + " (expected: " + expected + ")", origin(value, n));
    }

    /** Records a problem once: a default that several blocks fall back to is read, and found wanting, once for each. */
    private void add(String path, String message, @Nullable String origin) {
        ConfigProblem problem = new ConfigProblem(path, message, origin);
        if (!problems.contains(problem)) {
            problems.add(problem);
        }
    }

    /** A record's constructor repeats the mapper's checks; if they ever disagree, say so instead of crashing. */
    private <T> @Nullable T construct(String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            add(path, e.getMessage(), null);
            return null;
        }
    }

    private boolean isBroken(String path) {
        for (String b : broken) {
            if (path.equals(b) || path.startsWith(b + ".") || path.startsWith(b + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The value's origin, or its parent object's when the value is missing. */
    private static @Nullable String origin(@Nullable ConfigValue value, Node parent) {
        return Origins.of(value != null ? value.origin() : parent.object().origin());
    }

    /** The origin only if the deployment wrote the value; "reference.conf:93" would mislead for a missing section. */
    private static @Nullable String userOrigin(ConfigOrigin origin) {
        return Origins.isDefault(origin) ? null : Origins.of(origin);
    }

    private static boolean isScalar(ConfigValue value) {
        return value.valueType() == ConfigValueType.STRING || value.valueType() == ConfigValueType.NUMBER
                || value.valueType() == ConfigValueType.BOOLEAN;
    }

    static String render(@Nullable ConfigValue value) {
        if (value == null) {
            return "missing";
        }
        String text = value.render(ConfigRenderOptions.concise());
        return text.length() <= MAX_RENDERED ? text : text.substring(0, MAX_RENDERED - 3) + "...";
    }

    private static String quote(String s) {
        return ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
    }

    private static String describe(ConfigValueType type) {
        return switch (type) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }

    private static String join(String path, String key) {
        String element = ConfigUtil.joinPath(key);
        return path.isEmpty() ? element : path + "." + element;
    }

    private static @Nullable ConfigValue lookup(Config config, String path) {
        ConfigValue value = config.root();
        for (String element : ConfigUtil.splitPath(path)) {
            if (!(value instanceof ConfigObject object)) {
                return null;
            }
            value = object.get(element);
        }
        return value;
    }
}
