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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Maps a resolved, layered config into a {@link GatewayConfig}, collecting every problem before it gives up.
 *
 * <p>Each reader returns null after recording a problem, and a record is only built when all its parts were read;
 * so one bad setting costs one problem, never a cascade. Values that failed the structural check
 * ({@link Config#checkValid}) are not read again.
 */
final class ConfigMapper {

    private static final List<String> ROUTE_KEYS = List.of("name", "match", "backend");
    private static final List<String> MATCH_KINDS = List.of("path", "prefix", "regex");
    private static final List<String> MATCH_KEYS = List.of("path", "prefix", "regex", "methods", "headers");
    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "[::]");

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[^\\s?#]*");
    private static final Pattern USER_INFO = Pattern.compile("//[^/]*@");
    /** Host names java.net.URI refuses, such as Docker Compose's {@code django_app}, with an optional port. */
    private static final Pattern LENIENT_AUTHORITY = Pattern.compile("([A-Za-z0-9._~-]+)(?::(\\d{1,5}))?");
    private static final int MAX_RENDERED = 80;

    private static final String URL_RULE = "http://host:port";
    private static final String ABSOLUTE_PATH_RULE = "a path starting with '/', without spaces, '?' or '#'";
    private static final String EXAMPLE_BACKEND = "django { url = \"http://127.0.0.1:8001\" }";
    private static final String EXAMPLE_ROUTE = "{ name = core, match { prefix = \"/\" }, backend = django }";

    private final Config config;
    private final Config reference;
    private final List<ConfigProblem> problems;
    /** Paths the structural check already reported; nothing at or below them is read. */
    private final Set<String> broken = new HashSet<>();
    /** Every declared backend name, valid or not, so that routes naming a broken backend do not cascade. */
    private final List<String> backendNames = new ArrayList<>();
    private boolean backendsReadable;

    private final List<String> declarationOrder;

    private ConfigMapper(Config config, Config reference, List<String> declarationOrder, List<ConfigProblem> earlier) {
        this.config = config;
        this.reference = reference;
        this.declarationOrder = declarationOrder;
        this.problems = new ArrayList<>(earlier);
    }

    /**
     * @param config           the layered config, resolved
     * @param reference        {@code reference.conf}, resolved: the schema of every fixed section
     * @param declarationOrder the backend names in the order the file declares them; others go last, by name
     * @param earlier          problems found while layering, reported together with the mapper's
     * @throws ConfigValidationException listing every problem, if there is any
     */
    static GatewayConfig map(Config config, Config reference, List<String> declarationOrder,
            List<ConfigProblem> earlier) {
        ConfigMapper mapper = new ConfigMapper(config, reference, declarationOrder, earlier);
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
        Map<String, BackendConfig> backends = backends(tandem, schema);
        List<RouteConfig> routes = routes(tandem);
        if (listen != null && admin != null) {
            checkPortsDiffer(listen, admin);
        }
        if (listen == null || admin == null || limits == null || proxy == null || accessLog == null
                || backends == null || routes == null) {
            return null;
        }
        return construct("tandem", () -> new GatewayConfig(listen, admin, limits, proxy, backends, routes, accessLog,
                new MetricsConfig(true), new TrafficConfig(null, null)));
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
        String token = token(n, "token");
        if (host == null || port == null) {
            return null;
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

    /** The per-backend defaults, each null if it was itself invalid (and so already reported). */
    private record Defaults(
            @Nullable Duration connectTimeout,
            @Nullable Duration responseTimeout,
            @Nullable Integer maxConnections,
            @Nullable Integer maxPending,
            @Nullable Duration idleTimeout) {
    }

    /** A backend URL taken apart. */
    private record Endpoint(URI url, String host, int port) {
    }

    private @Nullable Map<String, BackendConfig> backends(Node tandem, ConfigObject schema) {
        Node defaultsNode = section(tandem, "backend-defaults", "an object");
        Defaults defaults = defaultsNode == null ? new Defaults(null, null, null, null, null) : defaults(defaultsNode);
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

    private Defaults defaults(Node n) {
        Duration connectTimeout = duration(n, "connect-timeout");
        Duration responseTimeout = duration(n, "response-timeout");
        Node pool = section(n, "pool", "an object");
        if (pool == null) {
            return new Defaults(connectTimeout, responseTimeout, null, null, null);
        }
        return new Defaults(connectTimeout, responseTimeout,
                integer(pool, "max-connections", 1, Integer.MAX_VALUE, Checks.AT_LEAST_ONE),
                integer(pool, "max-pending", 0, Integer.MAX_VALUE, Checks.NOT_NEGATIVE),
                duration(pool, "idle-timeout"));
    }

    private @Nullable BackendConfig backend(String name, ConfigValue value, Defaults defaults, ConfigObject schema) {
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
        // Only what the backend sets is read here: the defaults were read, and reported, once at their own path.
        Duration connectTimeout = object.containsKey("connect-timeout")
                ? duration(n, "connect-timeout") : defaults.connectTimeout();
        Duration responseTimeout = object.containsKey("response-timeout")
                ? duration(n, "response-timeout") : defaults.responseTimeout();
        Integer maxConnections = defaults.maxConnections();
        Integer maxPending = defaults.maxPending();
        Duration idleTimeout = defaults.idleTimeout();
        if (object.containsKey("pool")) {
            Node pool = section(n, "pool", "an object");
            if (pool == null) {
                return null;
            }
            if (pool.object().containsKey("max-connections")) {
                maxConnections = integer(pool, "max-connections", 1, Integer.MAX_VALUE, Checks.AT_LEAST_ONE);
            }
            if (pool.object().containsKey("max-pending")) {
                maxPending = integer(pool, "max-pending", 0, Integer.MAX_VALUE, Checks.NOT_NEGATIVE);
            }
            if (pool.object().containsKey("idle-timeout")) {
                idleTimeout = duration(pool, "idle-timeout");
            }
        }
        if (!valid || endpoint == null || connectTimeout == null || responseTimeout == null || maxConnections == null
                || maxPending == null || idleTimeout == null) {
            return null;
        }
        PoolConfig pool = new PoolConfig(maxConnections, maxPending, idleTimeout);
        return construct(path, () -> new BackendConfig(
                name, endpoint.url(), endpoint.host(), endpoint.port(), pool, connectTimeout, responseTimeout,
                ResilienceDefaults.NONE));
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

    private @Nullable List<RouteConfig> routes(Node tandem) {
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
        List<@Nullable RouteConfig> read = new ArrayList<>();
        Map<String, String> firstPathByName = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            read.add(route(path + "[" + i + "]", list.get(i), firstPathByName));
        }
        checkReachable(read, list, path);
        List<RouteConfig> routes = new ArrayList<>();
        for (RouteConfig route : read) {
            if (route == null) {
                return null;
            }
            routes.add(route);
        }
        return routes;
    }

    private @Nullable RouteConfig route(String path, ConfigValue value, Map<String, String> firstPathByName) {
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
        String backend = routeBackend(n);
        MatchConfig match = match(n);
        if (name == null || backend == null || match == null) {
            return null;
        }
        return construct(path, () -> RouteConfig.of(name, match, backend));
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

    private @Nullable String routeBackend(Node n) {
        String backend = string(n, "backend", "the name of a backend");
        if (backend == null) {
            return null;
        }
        // With no readable backends there is nothing to compare against, and that problem is already reported.
        if (backendsReadable && !backendNames.isEmpty() && !backendNames.contains(backend)) {
            String hint = DidYouMean.hint(backend, backendNames);
            fail(n, "backend", "one of " + backendNames + (hint.isEmpty() ? "" : "; " + hint));
            return null;
        }
        return backend;
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
        Set<String> methods = methods(n);
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

    private @Nullable Set<String> methods(Node n) {
        ConfigValue value = n.get("methods");
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return Set.of();
        }
        if (!(value instanceof ConfigList list)) {
            fail(n, "methods", "a list of methods, such as [GET, POST]");
            return null;
        }
        Set<String> methods = new LinkedHashSet<>();
        boolean valid = true;
        for (int i = 0; i < list.size(); i++) {
            ConfigValue method = list.get(i);
            if (method.valueType() == ConfigValueType.STRING && Checks.isToken((String) method.unwrapped())) {
                methods.add(Checks.upperCase((String) method.unwrapped()));
            } else {
                add(n.pathOf("methods") + "[" + i + "]", render(method) + " (expected: an HTTP method such as GET)",
                        Origins.of(method.origin()));
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

    /** Reports each route that an earlier route always takes first. Routes that failed to read are skipped. */
    private void checkReachable(List<@Nullable RouteConfig> routes, ConfigList list, String path) {
        for (int i = 1; i < routes.size(); i++) {
            RouteConfig later = routes.get(i);
            if (later == null) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                RouteConfig earlier = routes.get(j);
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

    /** A positive duration. A bare number is refused: HOCON would read {@code 60} as 60 milliseconds. */
    private @Nullable Duration duration(Node n, String key) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value != null && value.valueType() == ConfigValueType.STRING) {
            try {
                Duration duration = n.config().getDuration(ConfigUtil.joinPath(key));
                if (Checks.isPositive(duration)) {
                    return duration;
                }
            } catch (ConfigException notADuration) {
                // Reported below, with the rule.
            }
        }
        fail(n, key, Checks.POSITIVE_DURATION);
        return null;
    }

    private @Nullable Long size(Node n, String key, long max) {
        if (isBroken(n.pathOf(key))) {
            return null;
        }
        ConfigValue value = n.get(key);
        if (value != null && (value.valueType() == ConfigValueType.STRING
                || value.valueType() == ConfigValueType.NUMBER)) {
            try {
                long bytes = n.config().getBytes(ConfigUtil.joinPath(key));
                if (bytes > 0 && bytes <= max) {
                    return bytes;
                }
            } catch (ConfigException notASize) {
                // Reported below, with the rule.
            }
        }
        fail(n, key, Checks.POSITIVE_SIZE + (max == Integer.MAX_VALUE ? ", below 2g" : ""));
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

    private void add(String path, String message, @Nullable String origin) {
        problems.add(new ConfigProblem(path, message, origin));
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
