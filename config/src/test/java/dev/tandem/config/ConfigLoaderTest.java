package dev.tandem.config;

import static dev.tandem.config.TestConfigs.EXAMPLE;
import static dev.tandem.config.TestConfigs.MINIMAL;
import static dev.tandem.config.TestConfigs.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    @Test
    void referenceConfSuppliesEveryDefault() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL);

        assertThat(config.listen()).isEqualTo(new ListenerConfig("0.0.0.0", 8080, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(30), 10_000));
        assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 8081, null));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(8 * 1024, 16 * 1024, 100L * 1024 * 1024));
        assertThat(config.proxy()).isEqualTo(new ProxyConfig("X-Request-Id", true, "X-Tandem-Backend"));
        assertThat(config.accessLog().enabled()).isTrue();
        BackendConfig django = config.backend("django");
        assertThat(django.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(django.responseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(django.pool()).isEqualTo(new PoolConfig(256, 1024, Duration.ofSeconds(4)));
        assertThat(django.resilience()).isEqualTo(TestConfigs.RESILIENCE);
        assertThat(config.metrics().enabled()).isTrue();
        assertThat(config.traffic()).isEqualTo(new TrafficConfig(null, null));
        assertThat(config.routes().get(0)).isEqualTo(RouteConfig.of("core", config.routes().get(0).match(), "django"));
    }

    @Test
    void everySettingInReferenceConfHasAComment() throws IOException {
        String reference;
        try (var in = ConfigLoader.class.getResourceAsStream("/reference.conf")) {
            reference = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        List<String> lines = reference.lines().toList();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            boolean setting = !line.startsWith("#") && (line.contains(" = ") || line.endsWith("{"))
                    && !line.equals("tandem {");
            if (setting) {
                assertThat(lines.get(i - 1).strip()).as("the line before %s", line).startsWith("#");
            }
        }
    }

    @Test
    void aRelativeStateFileIsRelativeToTheConfigFilesDirectory(@TempDir Path dir) throws IOException {
        Path conf = Files.createDirectories(dir.resolve("etc"));
        Path file = conf.resolve("application.conf");
        Files.writeString(file, MINIMAL + "tandem.traffic.state-file = \"state/../weights.json\"\n");

        assertThat(ConfigLoader.load(file, Map.of()).traffic().stateFile()).isEqualTo(conf.resolve("weights.json"));
    }

    @Test
    void aStateFileIsRelativeToTheLoadedFileEvenWhenGivenARelativePathToIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, MINIMAL + "tandem.traffic.state-file = weights.json\n");
        Path relative = Path.of("").toAbsolutePath().relativize(file);

        Path stateFile = ConfigLoader.load(relative, Map.of()).traffic().stateFile();

        assertThat(stateFile).isAbsolute().isEqualTo(dir.resolve("weights.json").toAbsolutePath());
    }

    @Test
    void anAbsoluteStateFileIsKeptAndAParsedStringsIsRelativeToTheWorkingDirectory(@TempDir Path dir) {
        Path absolute = dir.resolve("weights.json");

        assertThat(ConfigLoader.parse(MINIMAL + "tandem.traffic.state-file = \"" + absolute + "\"").traffic()
                .stateFile()).isEqualTo(absolute);
        assertThat(ConfigLoader.parse(MINIMAL + "tandem.traffic.state-file = w.json").traffic().stateFile())
                .isEqualTo(Path.of("w.json").toAbsolutePath());
    }

    @Test
    void referenceConfDeclaresNoBackendsAndNoRoutes() {
        List<ConfigProblem> problems = problems("tandem.listen.port = 8080");

        assertThat(problems).extracting(ConfigProblem::path).containsExactly("tandem.backends", "tandem.routes");
        assertThat(problems.get(0).message()).startsWith("{} (expected: at least one backend");
        assertThat(problems.get(1).message()).startsWith("[] (expected: at least one route");
    }

    @Test
    void theFileOverridesReferenceConf() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.listen { port = 9000, idle-timeout = 2m }
                tandem.limits.max-request-body-size = 1g
                tandem.access-log.enabled = false
                """);

        assertThat(config.listen().port()).isEqualTo(9000);
        assertThat(config.listen().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.listen().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.limits().maxRequestBodySize()).isEqualTo(1L << 30);
        assertThat(config.accessLog().enabled()).isFalse();
    }

    @Test
    void aBackendTakesEachDefaultItDoesNotSet() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.backends.fastapi { url = "http://127.0.0.1:8002", connect-timeout = 1s, pool { max-pending = 8 } }
                """);

        BackendConfig fastapi = config.backend("fastapi");
        assertThat(fastapi.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fastapi.responseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fastapi.pool()).isEqualTo(new PoolConfig(256, 8, Duration.ofSeconds(4)));
        assertThat(config.backend("django").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void backendDefaultsInTheFileApplyToEveryBackend() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.backend-defaults { response-timeout = 5s, pool.idle-timeout = 1500ms }
                tandem.backends.fastapi { url = "http://127.0.0.1:8002", response-timeout = 7s }
                """);

        assertThat(config.backend("django").responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.backend("django").pool().idleTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.backend("fastapi").responseTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.backend("fastapi").pool().idleTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void backendsKeepTheirDeclarationOrderEvenWhenOverridden() {
        String file = """
                tandem {
                  backends {
                    zeta  { url = "http://127.0.0.1:8001" }
                    alpha { url = "http://127.0.0.1:8002" }
                    mid   { url = "http://127.0.0.1:8003" }
                    k9    { url = "http://127.0.0.1:8004" }
                    b     { url = "http://127.0.0.1:8005" }
                  }
                  routes = [{ name = core, match { prefix = "/" }, backend = b }]
                }
                """;
        GatewayConfig config = ConfigLoader.parse(file);

        assertThat(config.backends().keySet()).containsExactly("zeta", "alpha", "mid", "k9", "b");
        Map<String, String> env = Map.of("TANDEM_BACKEND_ZETA_URL", "http://10.0.0.1", "TANDEM_BACKEND_B_URL", "http://b");
        assertThat(ConfigLoader.parse(file, env).backends().keySet()).containsExactly("zeta", "alpha", "mid", "k9", "b");
    }

    @Test
    void theExampleMapsEveryKindOfMatch() {
        GatewayConfig config = ConfigLoader.parse(EXAMPLE);

        assertThat(config.routes()).extracting(RouteConfig::name)
                .containsExactly("admin", "api-v2", "health", "slugs", "core");
        MatchConfig api = config.routes().get(1).match();
        assertThat(api.prefix()).isEqualTo("/api/v2");
        assertThat(api.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(api.headers()).containsExactly(new MatchConfig.HeaderMatch("X-Api-Key", null));
        assertThat(config.routes().get(2).match().path()).isEqualTo("/healthz");
        assertThat(config.routes().get(3).match().regex().pattern()).isEqualTo("/p/[a-z0-9-]+");
        assertThat(config.routes().get(4).match().isCatchAll()).isTrue();
        assertThat(config.routes()).extracting(RouteConfig::backend)
                .containsExactly("django", "fastapi", "fastapi", "django", "django");
        BackendConfig fastapi = config.backend("fastapi");
        assertThat(fastapi.host()).isEqualTo("127.0.0.1");
        assertThat(fastapi.port()).isEqualTo(8002);
        assertThat(fastapi.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    static Stream<Arguments> envOverrides() {
        return Stream.of(
                override("TANDEM_LISTEN_HOST", "127.0.0.2", c -> c.listen().host(), "127.0.0.2"),
                override("TANDEM_LISTEN_PORT", "9090", c -> c.listen().port(), 9090),
                override("TANDEM_EVENT_LOOPS", "3", c -> c.listen().eventLoops(), 3),
                override("TANDEM_ADMIN_HOST", "0.0.0.0", c -> c.admin().host(), "0.0.0.0"),
                override("TANDEM_ADMIN_PORT", "9091", c -> c.admin().port(), 9091),
                override("TANDEM_ADMIN_TOKEN", "s3cret", c -> c.admin().token(), "s3cret"),
                override("TANDEM_BACKEND_DJANGO_URL", "http://10.0.0.5:9000",
                        c -> c.backend("django").host() + ":" + c.backend("django").port(), "10.0.0.5:9000"));
    }

    private static Arguments override(String variable, String value, Function<GatewayConfig, Object> read,
            Object expected) {
        return Arguments.of(variable, value, read, expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("envOverrides")
    void anEnvironmentVariableOverridesTheFile(String variable, String value, Function<GatewayConfig, Object> read,
            Object expected) {
        String file = MINIMAL + """
                tandem.listen { host = "10.1.1.1", port = 7000, event-loops = 2 }
                tandem.admin { host = "10.1.1.2", port = 7001, token = from-file }
                tandem.backends.django.url = "http://10.1.1.3:7002"
                """;
        assertThat(read.apply(ConfigLoader.parse(file))).isNotEqualTo(expected);

        assertThat(read.apply(ConfigLoader.parse(file, Map.of(variable, value)))).isEqualTo(expected);
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + "tandem.admin.token = from-file",
                Map.of("TANDEM_ADMIN_TOKEN", "", "TANDEM_LISTEN_PORT", ""));

        assertThat(config.admin().token()).isEqualTo("from-file");
        assertThat(config.listen().port()).isEqualTo(8080);
    }

    @Test
    void aBackendVariableUpperCasesTheNameAndTurnsDashesIntoUnderscores() {
        GatewayConfig config = ConfigLoader.parse(MINIMAL + """
                tandem.backends.billing-api.url = "http://127.0.0.1:8003"
                """, Map.of("TANDEM_BACKEND_BILLING_API_URL", "http://billing:80/v1"));

        assertThat(ConfigLoader.backendUrlVariable("billing-api")).isEqualTo("TANDEM_BACKEND_BILLING_API_URL");
        BackendConfig billing = config.backend("billing-api");
        assertThat(billing.host()).isEqualTo("billing");
        assertThat(billing.basePath()).isEqualTo("/v1");
        assertThat(config.backend("django").port()).isEqualTo(8001);
    }

    @Test
    void aBackendVariableForNoDeclaredBackendIsAProblem() {
        List<ConfigProblem> problems = problems(MINIMAL, Map.of("TANDEM_BACKEND_DJANOG_URL", "http://x:1"));

        assertThat(problems).singleElement().hasToString("env var TANDEM_BACKEND_DJANOG_URL: tandem.backends: "
                + "\"TANDEM_BACKEND_DJANOG_URL\" names no declared backend (expected: TANDEM_BACKEND_<NAME>_URL for "
                + "one of [django]; did you mean \"TANDEM_BACKEND_DJANGO_URL\"?)");
    }

    @Test
    void anInvalidOverrideNamesItsVariable() {
        List<ConfigProblem> problems = problems(MINIMAL, Map.of("TANDEM_LISTEN_PORT", "abc"));

        assertThat(problems).singleElement().hasToString(
                "env var TANDEM_LISTEN_PORT: tandem.listen.port: \"abc\" (expected: a port in 0..65535)");
    }

    @Test
    void substitutionsReadTheGivenEnvironmentOnly() {
        String file = MINIMAL + "tandem.admin.token = ${?TANDEM_TEST_SECRET}\ntandem.listen.host = ${?PATH}";

        assertThat(ConfigLoader.parse(file, Map.of("TANDEM_TEST_SECRET", "abc")).admin().token()).isEqualTo("abc");
        assumeThat(System.getenv("PATH")).isNotNull();
        assertThat(ConfigLoader.parse(file).listen().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void anUnresolvedSubstitutionIsOneProblemWithItsLine() {
        List<ConfigProblem> problems = problems(MINIMAL + "tandem.admin.token = ${MISSING_SECRET}\n");

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.origin()).isEqualTo("<string>:5");
            assertThat(p.message()).contains("${MISSING_SECRET}");
        });
    }

    @Test
    void aSyntaxErrorIsOneProblemNamingTheLine() {
        List<ConfigProblem> problems = problems("tandem {\n  listen { port = 80 \n");

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEmpty();
            assertThat(p.origin()).isEqualTo("<string>:3");
        });
    }

    @Test
    void aMisspeltTopLevelKeyIsReported() {
        List<ConfigProblem> problems = problems("tandme " + MINIMAL.substring("tandem ".length()));

        assertThat(problems).first().hasToString("<string>:1: tandme: unknown key (did you mean \"tandem\"?)");
    }

    @Test
    void loadsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, TestConfigs.EXAMPLE);

        GatewayConfig config = ConfigLoader.load(file, Map.of("TANDEM_LISTEN_PORT", "0"));

        assertThat(config.listen().port()).isZero();
        assertThat(config.routes()).hasSize(5);
    }

    @Test
    void loadWithOnlyAPathLoadsTheFile(@TempDir Path dir) throws IOException {
        assumeThat(System.getenv()).doesNotContainKeys("TANDEM_LISTEN_PORT", "TANDEM_ADMIN_TOKEN");
        Path file = dir.resolve("application.conf");
        Files.writeString(file, MINIMAL);

        assertThat(ConfigLoader.load(file).listen().port()).isEqualTo(8080);
    }

    @Test
    void problemsInAFileNameTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, MINIMAL + "tandem.listen.port = 70000\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.problems())
                        .singleElement()
                        .hasToString(file + ":5: tandem.listen.port: 70000 (expected: a port in 0..65535)"));
    }

    @Test
    void aSyntaxErrorInAFileNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, "tandem {\n  listen { port = }\n}\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.problems())
                        .singleElement()
                        .satisfies(p -> assertThat(p.toString()).startsWith(file + ":2: ")));
    }

    @Test
    void aMissingFileIsOneProblemNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("nope.conf");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.problems())
                        .singleElement()
                        .hasToString(file + ": file not found (expected: a readable HOCON file)"));
    }

    @Test
    void aDirectoryIsNotAConfigFile(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.problems())
                        .singleElement()
                        .satisfies(p -> assertThat(p.message()).startsWith("not a readable regular file")));
    }

    @Test
    void everyFixedVariableIsDocumentedInReferenceConf() throws IOException {
        String reference;
        try (var in = ConfigLoader.class.getResourceAsStream("/reference.conf")) {
            reference = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        for (String variable : Set.of("TANDEM_LISTEN_HOST", "TANDEM_LISTEN_PORT", "TANDEM_EVENT_LOOPS",
                "TANDEM_ADMIN_HOST", "TANDEM_ADMIN_PORT", "TANDEM_ADMIN_TOKEN", "TANDEM_BACKEND_<NAME>_URL")) {
            assertThat(reference).contains("Env: " + variable);
        }
    }
}
