package dev.tandem.config;

import static dev.tandem.config.TestConfigs.MINIMAL;
import static dev.tandem.config.TestConfigs.onlyProblem;
import static dev.tandem.config.TestConfigs.problems;
import static dev.tandem.config.TestConfigs.withRoutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValidationTest {

    // ---- types and ranges --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.listen.port = "abc"                  | tandem.listen.port                | "abc" (expected: a port in 0..65535)
            tandem.listen.port = 80.5                   | tandem.listen.port                | 80.5 (expected: a port in 0..65535)
            tandem.listen = 5                           | tandem.listen                     | 5 (expected: an object)
            tandem.listen = null                        | tandem.listen                     | null (expected: an object)
            tandem.listen.host = [a, b]                 | tandem.listen.host                | ["a","b"] (expected: a host name or address)
            tandem.listen.host = null                   | tandem.listen.host                | null (expected: a host name or address)
            tandem.access-log.enabled = maybe           | tandem.access-log.enabled         | "maybe" (expected: true or false)
            tandem.limits.max-header-size = lots        | tandem.limits.max-header-size     | "lots" (expected: a positive size, in bytes or with a unit such as 512k or 16m, below 2g)
            tandem.proxy.preserve-host = {}             | tandem.proxy.preserve-host        | {} (expected: true or false)
            tandem.backend-defaults.pool = 5            | tandem.backend-defaults.pool      | 5 (expected: an object)
            tandem.backends.django.pool = 5             | tandem.backends.django.pool       | 5 (expected: an object)
            tandem.listen.idle-timeout = soon           | tandem.listen.idle-timeout        | "soon" (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            """)
    void aValueOfTheWrongTypeNamesItsPath(String setting, String path, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:5");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.listen.port = -1                               | tandem.listen.port                         | -1
            tandem.listen.port = 65536                            | tandem.listen.port                         | 65536
            tandem.admin.port = 70000                             | tandem.admin.port                          | 70000
            tandem.listen.event-loops = -1                        | tandem.listen.event-loops                  | -1
            tandem.listen.idle-timeout = 0s                       | tandem.listen.idle-timeout                 | "0s"
            tandem.listen.idle-timeout = -5s                      | tandem.listen.idle-timeout                 | "-5s"
            tandem.listen.idle-timeout = 60                       | tandem.listen.idle-timeout                 | 60
            tandem.listen.request-header-timeout = 0ms            | tandem.listen.request-header-timeout       | "0ms"
            tandem.listen.drain-timeout = -1s                     | tandem.listen.drain-timeout                | "-1s"
            tandem.listen.max-connections = 0                     | tandem.listen.max-connections              | 0
            tandem.backend-defaults.connect-timeout = 0s          | tandem.backend-defaults.connect-timeout    | "0s"
            tandem.backend-defaults.pool.max-connections = 0      | tandem.backend-defaults.pool.max-connections | 0
            tandem.backends.django.response-timeout = -1s         | tandem.backends.django.response-timeout    | "-1s"
            tandem.backends.django.connect-timeout = 0ms          | tandem.backends.django.connect-timeout     | "0ms"
            tandem.backends.django.pool.idle-timeout = 0s         | tandem.backends.django.pool.idle-timeout   | "0s"
            tandem.backends.django.pool.max-connections = 0       | tandem.backends.django.pool.max-connections | 0
            tandem.backends.django.pool.max-pending = -1          | tandem.backends.django.pool.max-pending    | -1
            tandem.limits.max-initial-line-length = 0             | tandem.limits.max-initial-line-length      | 0
            tandem.limits.max-header-size = 4g                    | tandem.limits.max-header-size              | "4g"
            tandem.limits.max-request-body-size = -1              | tandem.limits.max-request-body-size        | -1
            """)
    void aValueOutOfRangeIsRejectedNamingTheKey(String setting, String path, String value) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).startsWith(value + " (expected: ");
    }

    @Test
    void theBoundariesOfEachRangeAreAccepted() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.listen { port = 0, event-loops = 0, max-connections = 1, idle-timeout = 1ms }
                tandem.admin.port = 65535
                tandem.backends.django.pool { max-connections = 1, max-pending = 0 }
                tandem.limits { max-initial-line-length = 1, max-request-body-size = 1 }
                """);

        assertThat(config.listen().port()).isZero();
        assertThat(config.listen().eventLoops()).isZero();
        assertThat(config.listen().maxConnections()).isOne();
        assertThat(config.listen().idleTimeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(config.admin().port()).isEqualTo(65535);
        assertThat(config.backend("django").pool().maxPending()).isZero();
        assertThat(config.limits().maxInitialLineLength()).isOne();
    }

    @Test
    void sizesTakeHoconMemoryUnits() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.limits { max-initial-line-length = 4096, max-header-size = 32k, max-request-body-size = 2g }
                """);

        assertThat(config.limits()).isEqualTo(new LimitsConfig(4096, 32 * 1024, 2L << 30));
    }

    @Test
    void aBackendDefaultIsReportedOnceAtItsOwnPath() {
        List<ConfigProblem> problems = problems(MINIMAL + """
                tandem.backends.fastapi.url = "http://127.0.0.1:8002"
                tandem.backend-defaults.response-timeout = 0s
                """);

        assertThat(problems).extracting(ConfigProblem::path).containsExactly("tandem.backend-defaults.response-timeout");
    }

    @Test
    void listenerAndAdminCannotShareAPort() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.admin.port = 8080");

        assertThat(problem).hasToString("<string>:5: tandem.admin.port: 8080 (expected: a port other than "
                + "tandem.listen.port's)");
    }

    // ---- admin and proxy ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"tandem.admin.token = \"\"", "tandem.admin.token = null", ""})
    void anEmptyOrNullTokenMeansNone(String setting) {
        assertThat(ConfigLoader.parse(MINIMAL + setting).admin().token()).isNull();
    }

    @Test
    void aTokenWithWhitespaceIsRejectedWithoutShowingIt() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.admin.token = \"hunter2\\n\"");

        assertThat(problem.path()).isEqualTo("tandem.admin.token");
        assertThat(problem.message()).isEqualTo("<redacted> (expected: a token without spaces or control characters)");
        assertThat(problem.toString()).doesNotContain("hunter2");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1", "[::1]", "0:0:0:0:0:0:0:1",
            "::ffff:127.0.0.1"})
    void aLoopbackAdminNeedsNoToken(String host) {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + "tandem.admin.host = \"" + host + "\"");

        assertThat(config.admin().token()).isNull();
        assertThat(config.admin().isLoopback()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0.0.0.0", "::", "10.0.0.5", "128.0.0.1", "127.0.0.256", "admin.internal", "localhost.evil",
            "::2", "fe80::1"})
    void anAdminOffLoopbackRequiresAToken(String host) {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.admin.host = \"" + host + "\"");

        assertThat(problem).hasToString("<string>:5: tandem.admin.token: required when admin.host is not loopback "
                + "(expected: a token, e.g. token = ${?TANDEM_ADMIN_TOKEN})");
    }

    @Test
    void anAdminOffLoopbackTakesATokenFromTheFileOrTheEnvironment() {
        String file = MINIMAL + "tandem.admin { host = \"0.0.0.0\", token = ${?ADMIN_SECRET} }";

        assertThat(ConfigLoader.parse(file, Map.of("ADMIN_SECRET", "s3cret")).admin().token()).isEqualTo("s3cret");
        assertThat(ConfigLoader.parse(file, Map.of("TANDEM_ADMIN_TOKEN", "t0k3n")).admin().isLoopback()).isFalse();
        assertThat(problems(file)).singleElement().extracting(ConfigProblem::path).isEqualTo("tandem.admin.token");
    }

    @Test
    void theMissingTokenPointsAtAnEmptyTokenWrittenOrAtTheHostVariable() {
        ConfigProblem written = onlyProblem(MINIMAL + "tandem.admin.host = \"0.0.0.0\"\ntandem.admin.token = \"\"");
        List<ConfigProblem> fromEnv = problems(MINIMAL, Map.of("TANDEM_ADMIN_HOST", "0.0.0.0"));

        assertThat(written.origin()).isEqualTo("<string>:6");
        assertThat(fromEnv).singleElement().hasToString("env var TANDEM_ADMIN_HOST: tandem.admin.token: required when "
                + "admin.host is not loopback (expected: a token, e.g. token = ${?TANDEM_ADMIN_TOKEN})");
    }

    @Test
    void aTokenWithWhitespaceOffLoopbackIsOneProblem() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.admin { host = \"0.0.0.0\", token = \"a b\" }");

        assertThat(problem.message()).startsWith("<redacted> (expected: a token without spaces");
    }

    // ---- metrics and traffic -----------------------------------------------------------------------------------

    @Test
    void metricsAndTrafficHaveDefaults() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL);

        assertThat(config.metrics()).isEqualTo(new MetricsConfig(true));
        assertThat(config.traffic()).isEqualTo(TrafficConfig.NONE);
        assertThat(ConfigLoader.parse(MINIMAL + "tandem.metrics.enabled = false").metrics().enabled()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\""})
    void aNullOrEmptyOverrideHeaderOrStateFileIsOff(String value) {
        TrafficConfig traffic = ConfigLoader.parse(MINIMAL + "tandem.traffic { override-header = " + value
                + ", state-file = " + value + " }").traffic();

        assertThat(traffic).isEqualTo(TrafficConfig.NONE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.traffic.override-header = "X Backend"   | tandem.traffic.override-header | "X Backend" (expected: a header name, {token})
            tandem.traffic.override-header = [X-B]         | tandem.traffic.override-header | ["X-B"] (expected: a header name, {token})
            tandem.traffic.state-file = "  "               | tandem.traffic.state-file      | "  " (expected: a file path, absolute or relative to the directory of the config file)
            tandem.traffic.state-file = "/"                | tandem.traffic.state-file      | "/" (expected: a file path, absolute or relative to the directory of the config file, not a directory)
            tandem.traffic.state-file = {}                 | tandem.traffic.state-file      | {} (expected: a file path, absolute or relative to the directory of the config file)
            tandem.metrics.enabled = 3                     | tandem.metrics.enabled         | 3 (expected: true or false)
            tandem.metrics = on                            | tandem.metrics                 | "on" (expected: an object)
            tandem.traffic.overide-header = X              | tandem.traffic.overide-header  | unknown key (did you mean "override-header"?)
            """)
    void trafficAndMetricsAreValidated(String setting, String path, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message.replace("{token}", Checks.TOKEN));
        assertThat(problem.origin()).isEqualTo("<string>:5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "\"\""})
    void aNullOrEmptyBackendHeaderTurnsItOff(String value) {
        assertThat(ConfigLoader.parse(MINIMAL + "tandem.proxy.backend-header = " + value).proxy().backendHeader())
                .isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.proxy.backend-header = "X Backend"      | tandem.proxy.backend-header
            tandem.proxy.backend-header = "X-Backend:"     | tandem.proxy.backend-header
            tandem.proxy.request-id-header = ""            | tandem.proxy.request-id-header
            tandem.proxy.request-id-header = null          | tandem.proxy.request-id-header
            """)
    void headerNamesMustBeTokens(String setting, String path) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).contains("(expected: a header name, an HTTP token");
    }

    // ---- backends ----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            https://127.0.0.1:8443         | "https://127.0.0.1:8443" not supported yet (expected: http://host:port)
            ftp://127.0.0.1:21             | "ftp://127.0.0.1:21" (expected: http://host:port)
            localhost:8001                 | "localhost:8001" (expected: http://host:port)
            127.0.0.1:8001                 | "127.0.0.1:8001" (expected: http://host:port; Illegal character in scheme name)
            /just/a/path                   | "/just/a/path" (expected: http://host:port)
            http:///path                   | "http:///path" (expected: http://host:port with a host)
            http://django:8001/?debug=1    | "http://django:8001/?debug=1" (expected: http://host:port[/base-path] without query or fragment)
            http://django:8001/#top        | "http://django:8001/#top" (expected: http://host:port[/base-path] without query or fragment)
            http://django:0                | "http://django:0" (expected: http://host:port with a port in 1..65535)
            http://django:70000            | "http://django:70000" (expected: http://host:port with a port in 1..65535)
            http://bob:pw@django:8001      | "http://<redacted>@django:8001" (expected: http://host:port without user info)
            """)
    void aBackendUrlMustBeAnAbsoluteHttpUrl(String url, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backends.django.url = \"" + url + "\"");

        assertThat(problem.path()).isEqualTo("tandem.backends.django.url");
        assertThat(problem.message()).isEqualTo(message);
    }

    @Test
    void aBackendWithoutUrlIsReported() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backends.fastapi { connect-timeout = 1s }");

        assertThat(problem).hasToString("<string>:5: tandem.backends.fastapi.url: missing (expected: http://host:port)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://django:8001         | django     | 8001 | ''
            http://django              | django     | 80   | ''
            HTTP://Django:8001/        | Django     | 8001 | ''
            http://django_app:8000     | django_app | 8000 | ''
            http://[::1]:8001          | [::1]      | 8001 | ''
            http://10.0.0.7:8001/base/ | 10.0.0.7   | 8001 | /base
            """)
    void aBackendUrlFillsHostPortAndBasePath(String url, String host, int port, String basePath) {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + "tandem.backends.django.url = \"" + url + "\"");

        BackendConfig django = config.backend("django");
        assertThat(django.host()).isEqualTo(host);
        assertThat(django.port()).isEqualTo(port);
        assertThat(django.basePath()).isEqualTo(basePath);
        assertThat(django.url().toString()).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Django", "_django", "-django", "django.app", "dj ango"})
    void aBackendNameMustBeLowerCaseLettersDigitsDashesAndUnderscores(String name) {
        List<ConfigProblem> problems = problems("""
                tandem {
                  backends { "%s" { url = "http://127.0.0.1:8001" } }
                  routes = [{ name = core, match { prefix = "/" }, backend = "%s" }]
                }
                """.formatted(name, name));

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).startsWith("tandem.backends.");
            assertThat(p.message()).endsWith("(expected: a backend name of " + Checks.NAME + ")");
            assertThat(p.origin()).isEqualTo("<string>:2");
        });
    }

    @Test
    void aBackendMustBeAnObject() {
        ConfigProblem problem = onlyProblem(MINIMAL + "tandem.backends.fastapi = \"http://127.0.0.1:8002\"");

        assertThat(problem.path()).isEqualTo("tandem.backends.fastapi");
        assertThat(problem.message()).startsWith("\"http://127.0.0.1:8002\" (expected: an object such as { url = ");
    }

    @Test
    void atLeastOneBackendAndOneRouteAreRequired() {
        List<ConfigProblem> problems = problems("tandem { backends {}, routes = [] }");

        assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
                "<string>:1: tandem.backends: {} (expected: at least one backend, such as "
                        + "django { url = \"http://127.0.0.1:8001\" })",
                "<string>:1: tandem.routes: [] (expected: at least one route, such as "
                        + "{ name = core, match { prefix = \"/\" }, backend = django })");
    }

    // ---- routes ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            { match { prefix = "/" }, backend = django }               | missing
            { name = Core, match { prefix = "/" }, backend = django }  | "Core"
            { name = "a b", match { prefix = "/" }, backend = django } | "a b"
            { name = [x], match { prefix = "/" }, backend = django }   | ["x"]
            """)
    void aRouteNeedsAValidName(String route, String value) {
        ConfigProblem problem = onlyProblem(withRoutes(route));

        assertThat(problem.path()).isEqualTo("tandem.routes[0].name");
        assertThat(problem.message()).isEqualTo(value + " (expected: a unique route name of " + Checks.NAME + ")");
        assertThat(problem.origin()).isEqualTo("<string>:7");
    }

    @Test
    void everyDuplicateRouteNameIsReportedWithTheFirstOnesPath() {
        List<ConfigProblem> problems = problems(withRoutes(
                "{ name = a, match { path = \"/a\" }, backend = django }",
                "{ name = b, match { path = \"/b\" }, backend = django }",
                "{ name = a, match { path = \"/c\" }, backend = django }",
                "{ name = a, match { path = \"/d\" }, backend = django }"));

        assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
                "<string>:9: tandem.routes[2].name: \"a\" (expected: a unique route name; tandem.routes[0] is "
                        + "already named \"a\")",
                "<string>:10: tandem.routes[3].name: \"a\" (expected: a unique route name; tandem.routes[0] is "
                        + "already named \"a\")");
    }

    @Test
    void anUnknownBackendIsReportedWithTheClosestName() {
        List<ConfigProblem> problems = problems(withRoutes(
                "{ name = api, match { prefix = \"/api\" }, backend = fastapy }",
                "{ name = core, match { prefix = \"/\" }, backend = django }"));

        assertThat(problems).singleElement().hasToString("<string>:7: tandem.routes[0].backend: \"fastapy\" "
                + "(expected: one of [django, fastapi]; did you mean \"fastapi\"?)");
    }

    @Test
    void anUnknownBackendFarFromAnyNameGetsNoSuggestion() {
        ConfigProblem problem = onlyProblem(withRoutes("{ name = core, match { prefix = \"/\" }, backend = flask }"));

        assertThat(problem.message()).isEqualTo("\"flask\" (expected: one of [django, fastapi])");
    }

    static Stream<Arguments> invalidMatches() {
        String pathRule = "(expected: a path starting with '/', without spaces, '?' or '#')";
        String oneKind = "(expected: exactly one of path, prefix or regex)";
        return Stream.of(
                Arguments.of("{ name = r, backend = django }", "tandem.routes[0].match", "missing (expected: an object "
                        + "with exactly one of path, prefix or regex, such as match { prefix = \"/api\" })"),
                Arguments.of("{ name = r, match = \"/api\", backend = django }", "tandem.routes[0].match",
                        "\"/api\" (expected: an object with exactly one of path, prefix or regex, such as "
                                + "match { prefix = \"/api\" })"),
                Arguments.of("{ name = r, match { methods = [GET] }, backend = django }", "tandem.routes[0].match",
                        "none of path, prefix and regex is set " + oneKind),
                Arguments.of("{ name = r, match { path = \"/a\", prefix = \"/b\" }, backend = django }",
                        "tandem.routes[0].match", "path and prefix are both set " + oneKind),
                Arguments.of("{ name = r, match { path = \"/a\", prefix = \"/b\", regex = \"/c\" }, backend = django }",
                        "tandem.routes[0].match", "path, prefix and regex are all set " + oneKind),
                Arguments.of("{ name = r, match { path = \"a\" }, backend = django }",
                        "tandem.routes[0].match.path", "\"a\" " + pathRule),
                Arguments.of("{ name = r, match { prefix = \"admin\" }, backend = django }",
                        "tandem.routes[0].match.prefix", "\"admin\" " + pathRule),
                Arguments.of("{ name = r, match { path = \"/a?b=1\" }, backend = django }",
                        "tandem.routes[0].match.path", "\"/a?b=1\" " + pathRule),
                Arguments.of("{ name = r, match { regex = \"/p/[a-z\" }, backend = django }",
                        "tandem.routes[0].match.regex", "\"/p/[a-z\" (expected: a valid regular expression; "
                                + "Unclosed character class near index 6)"),
                Arguments.of("{ name = r, match { prefix = \"/\", methods = GET }, backend = django }",
                        "tandem.routes[0].match.methods", "\"GET\" (expected: a list of methods, such as [GET, POST])"),
                Arguments.of("{ name = r, match { prefix = \"/\", methods = [GET, \"PO ST\"] }, backend = django }",
                        "tandem.routes[0].match.methods[1]", "\"PO ST\" (expected: an HTTP method such as GET)"),
                Arguments.of("{ name = r, match { prefix = \"/\", headers { \"X Key\" = \"*\" } }, backend = django }",
                        "tandem.routes[0].match.headers.\"X Key\"",
                        "\"X Key\" (expected: a header name, " + Checks.TOKEN + ")"),
                Arguments.of("{ name = r, match { prefix = \"/\", headers = [X-Key] }, backend = django }",
                        "tandem.routes[0].match.headers", "[\"X-Key\"] (expected: an object of header names and "
                                + "values, such as headers { \"X-Api-Key\" = \"*\" })"),
                Arguments.of("{ name = r, match { prefix = \"/\", headers { X-Key = null } }, backend = django }",
                        "tandem.routes[0].match.headers.X-Key", "null (expected: a header value, or \"*\" for any value)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidMatches")
    void aMatchIsValidated(String route, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:7");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/api/, /api", "/, /", "//, /", "/a/b//, /a/b", "/api, /api"})
    void aPrefixLosesItsTrailingSlash(String written, String normalised) {
        GatewayConfig config = ConfigLoader.parse(withRoutes(
                "{ name = r, match { prefix = \"" + written + "\", methods = [GET] }, backend = django }"));

        assertThat(config.routes().get(0).match().prefix()).isEqualTo(normalised);
    }

    @Test
    void methodsAreUpperCasedAndHeadersMapStarToAnyValue() {
        GatewayConfig config = ConfigLoader.parse(withRoutes("""
                { name = r, match { prefix = "/", methods = [get, Post, PATCH], headers { X-Env = canary, "X-Api-Key" = "*" } }, backend = django }
                """));

        MatchConfig match = config.routes().get(0).match();
        assertThat(match.methods()).containsExactlyInAnyOrder("GET", "POST", "PATCH");
        assertThat(match.headers()).containsExactly(
                new MatchConfig.HeaderMatch("X-Api-Key", null), new MatchConfig.HeaderMatch("X-Env", "canary"));
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource(delimiter = '|', textBlock = """
            prefix = "/"                                 | prefix = "/api"
            prefix = "/"                                 | regex = "/p/.*"
            prefix = "/"                                 | path = "/healthz", methods = [GET]
            prefix = "/api"                              | prefix = "/api/v2"
            prefix = "/api"                              | prefix = "/api/"
            prefix = "/api/"                             | path = "/api/users"
            prefix = "/api"                              | path = "/api"
            path = "/healthz"                            | path = "/healthz", headers { X-Probe = "*" }
            regex = "/p/[a-z]+"                          | path = "/p/abc"
            regex = "/p/[a-z]+"                          | regex = "/p/[a-z]+", methods = [GET]
            prefix = "/api", methods = [GET, POST]       | prefix = "/api/v2", methods = [GET]
            prefix = "/api", headers { X-Key = "*" }     | prefix = "/api", headers { x-key = "k1" }
            prefix = "/api", headers { X-Key = "k1" }    | prefix = "/api/v2", headers { X-Key = "k1", X-Env = "*" }
            """)
    void aRouteAnEarlierRouteAlwaysTakesIsUnreachable(String earlier, String later) {
        List<ConfigProblem> problems = problems(withRoutes(
                "{ name = first, match { " + earlier + " }, backend = django }",
                "{ name = second, match { " + later + " }, backend = fastapi }"));

        assertThat(problems).singleElement().hasToString("<string>:8: tandem.routes[1]: unreachable: shadowed by "
                + "route 'first' at tandem.routes[0] (expected: more specific routes first)");
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource(delimiter = '|', textBlock = """
            prefix = "/api"                              | prefix = "/apix"
            prefix = "/api"                              | path = "/ap"
            prefix = "/api/v2"                           | prefix = "/api"
            prefix = "/api", methods = [GET]             | prefix = "/api/v2"
            prefix = "/api", methods = [GET]             | prefix = "/api/v2", methods = [GET, POST]
            prefix = "/", headers { X-Key = "*" }        | prefix = "/api"
            prefix = "/", headers { X-Key = "k1" }       | prefix = "/api", headers { X-Key = "*" }
            path = "/healthz"                            | prefix = "/healthz"
            regex = "/p/[a-z]+"                          | prefix = "/p"
            regex = "/p/[a-z]+"                          | path = "/p/123"
            """)
    void aRouteAnEarlierRouteOnlySometimesTakesIsReachable(String earlier, String later) {
        GatewayConfig config = ConfigLoader.parse(withRoutes(
                "{ name = first, match { " + earlier + " }, backend = django }",
                "{ name = second, match { " + later + " }, backend = fastapi }"));

        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("first", "second");
    }

    @Test
    void everyRouteAfterACatchAllIsReported() {
        List<ConfigProblem> problems = problems(TestConfigs.EXAMPLE.replace(
                "{ name = admin,  match { prefix = \"/admin\" },  backend = django }",
                "{ name = admin,  match { prefix = \"/\" },  backend = django }"));

        assertThat(problems).extracting(ConfigProblem::path).containsExactly(
                "tandem.routes[1]", "tandem.routes[2]", "tandem.routes[3]", "tandem.routes[4]");
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).contains("shadowed by route 'admin'"));
    }

    // ---- unknown keys ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tandem.listen.prot = 80                              | tandem.listen.prot                     | unknown key (did you mean "port"?)
            tandem.listen.maxConnections = 80                    | tandem.listen.maxConnections           | unknown key (did you mean "max-connections"?)
            tandem.acces-log.enabled = false                     | tandem.acces-log                       | unknown key (did you mean "access-log"?)
            tandem.limits.body = 1m                              | tandem.limits.body                     | unknown key (expected: one of [max-header-size, max-initial-line-length, max-request-body-size])
            tandem.backend-defaults.pool.max-idle = 1s           | tandem.backend-defaults.pool.max-idle  | unknown key (expected: one of [idle-timeout, max-connections, max-pending])
            tandem.backends.django.conect-timeout = 1s           | tandem.backends.django.conect-timeout  | unknown key (did you mean "connect-timeout"?)
            tandem.backends.django.uri = "http://x"              | tandem.backends.django.uri             | unknown key (did you mean "url"?)
            tandem.backends.django.pool.max-conections = 5       | tandem.backends.django.pool.max-conections | unknown key (did you mean "max-connections"?)
            tandem.upstreams = {}                                | tandem.upstreams                       | unknown key (expected: one of [access-log, admin, backend-defaults, backends, limits, listen, metrics, proxy, route-defaults, routes, traffic])
            """)
    void anUnknownKeyIsReportedWithTheClosestKnownKey(String setting, String path, String message) {
        ConfigProblem problem = onlyProblem(MINIMAL + setting);

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:5");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            { name = r, match { prefix = "/" }, bakend = django, backend = django } | tandem.routes[0].bakend       | unknown key (did you mean "backend"?)
            { name = r, match { prefx = "/x", prefix = "/" }, backend = django }    | tandem.routes[0].match.prefx  | unknown key (did you mean "prefix"?)
            { name = r, match { prefix = "/", method = [GET] }, backend = django }  | tandem.routes[0].match.method | unknown key (did you mean "methods"?)
            """)
    void anUnknownKeyInARouteIsReported(String route, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
    }

    @Test
    void aMatchKeyWrittenOutsideMatchSaysWhereItBelongs() {
        List<ConfigProblem> problems = problems(withRoutes("{ name = r, prefix = \"/\", backend = django }"));

        assertThat(problems).extracting(ConfigProblem::path)
                .containsExactly("tandem.routes[0].prefix", "tandem.routes[0].match");
        assertThat(problems.get(0).message())
                .isEqualTo("unknown key (expected: one of [name, match, backend, split, sticky, fallback, timeout, "
                        + "rate-limit, mirror]; prefix goes inside match { })");
    }

    // ---- all at once -------------------------------------------------------------------------------------------

    @Test
    void everyProblemIsReportedAtOnce() {
        String hocon = withRoutes(
                "{ name = api, match { prefix = \"/api\" }, backend = fastapy }",
                "{ name = core, match { prefix = \"/\" }, backend = django }") + """
                tandem.listen.port = 70000
                tandem.backends.django.connect-timeout = -1s
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(hocon))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::path).containsExactly(
                            "tandem.listen.port", "tandem.backends.django.connect-timeout", "tandem.routes[0].backend");
                    assertThat(e.getMessage()).isEqualTo("""
                            invalid configuration, 3 problems:
                            <string>:11: tandem.listen.port: 70000 (expected: a port in 0..65535)
                            <string>:12: tandem.backends.django.connect-timeout: "-1s" (expected: a positive duration \
                            with a unit, such as 500ms, 10s or 2m)
                            <string>:7: tandem.routes[0].backend: "fastapy" (expected: one of [django, fastapi]; \
                            did you mean "fastapi"?)""");
                });
    }

    @Test
    void everyProblemOfEveryNewSectionIsReportedAtOnceInReadingOrder() {
        String hocon = withRoutes(
                "{ name = api, match { prefix = \"/api\" }, split { django = 50, fastapy = 50 }, fallback = flask }",
                "{ name = core, match { prefix = \"/\" }, backend = django, mirror { to = fastapi, methods = [PATCH] } }")
                + """
                tandem.admin.host = "0.0.0.0"
                tandem.metrics.enabled = perhaps
                tandem.traffic.override-header = "X Y"
                tandem.backend-defaults.retry.methods = [GET, POST]
                tandem.backends.fastapi { circuit-breaker.minimum-calls = 0, health-check { path = "/h", timeout = 9s } }
                tandem.route-defaults.mirror.percent = 200
                """;

        assertThat(problems(hocon)).extracting(ConfigProblem::toString).containsExactly(
                "<string>:11: tandem.admin.token: required when admin.host is not loopback (expected: a token, e.g. "
                        + "token = ${?TANDEM_ADMIN_TOKEN})",
                "<string>:12: tandem.metrics.enabled: \"perhaps\" (expected: true or false)",
                "<string>:13: tandem.traffic.override-header: \"X Y\" (expected: a header name, " + Checks.TOKEN + ")",
                "<string>:14: tandem.backend-defaults.retry.methods[1]: \"POST\" " + Checks.NOT_RETRIED,
                "<string>:15: tandem.backends.fastapi.circuit-breaker.minimum-calls: 0 (expected: 1 or more)",
                "<string>:15: tandem.backends.fastapi.health-check.timeout: \"9s\" (expected: shorter than interval, 5s)",
                "<string>:16: tandem.route-defaults.mirror.percent: 200 (expected: a percentage in 0..100, such as 5 "
                        + "or 0.5)",
                "<string>:7: tandem.routes[0].split.fastapy: \"fastapy\" (expected: one of [django, fastapi]; did you "
                        + "mean \"fastapi\"?)",
                "<string>:7: tandem.routes[0].fallback: \"flask\" (expected: one of [django, fastapi])",
                "<string>:8: tandem.routes[1].mirror.methods[0]: \"PATCH\" " + Checks.MIRRORED_WRITE);
    }
}
