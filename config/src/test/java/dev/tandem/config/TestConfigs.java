package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small configs for tests, and the problems a config produces. */
final class TestConfigs {

    /** The smallest valid config: one backend, one catch-all route. Lines 1-4. */
    static final String MINIMAL = """
            tandem {
              backends { django { url = "http://127.0.0.1:8001" } }
              routes = [{ name = core, match { prefix = "/" }, backend = django }]
            }
            """;

    /** The example from the design brief, with every kind of match. */
    static final String EXAMPLE = """
            tandem {
              listen { host = "0.0.0.0", port = 8080, event-loops = 0, idle-timeout = 60s }
              admin  { host = "127.0.0.1", port = 8081 }
              limits { max-initial-line-length = 8k, max-header-size = 16k, max-request-body-size = 100m }
              proxy  { request-id-header = "X-Request-Id", preserve-host = true, backend-header = "X-Tandem-Backend" }
              access-log { enabled = true }
              backends {
                django  { url = "http://127.0.0.1:8001" }
                fastapi { url = "http://127.0.0.1:8002", connect-timeout = 1s }
              }
              routes = [
                { name = admin,  match { prefix = "/admin" },  backend = django }
                { name = api-v2, match { prefix = "/api/v2", methods = [GET, POST], headers { "X-Api-Key" = "*" } }, backend = fastapi }
                { name = health, match { path = "/healthz" }, backend = fastapi }
                { name = slugs,  match { regex = "/p/[a-z0-9-]+" }, backend = django }
                { name = core,   match { prefix = "/" },       backend = django }
              ]
            }
            """;

    /** The resilience settings of reference.conf, for records built in code. */
    static final ResilienceConfig RESILIENCE = new ResilienceConfig(
            new ResilienceConfig.CircuitBreakerConfig(true, 50, 100, Duration.ofSeconds(10), 50, 20,
                    Duration.ofSeconds(10), 5),
            0,
            new ResilienceConfig.RetryConfig(2, Set.of("GET", "HEAD", "OPTIONS"), Duration.ofMillis(25),
                    Duration.ofMillis(250), 20),
            null);

    private TestConfigs() {
    }

    /** A config with the backends django and fastapi and the given route objects, one per line, from line 7. */
    static String withRoutes(String... routes) {
        return """
                tandem {
                  backends {
                    django  { url = "http://127.0.0.1:8001" }
                    fastapi { url = "http://127.0.0.1:8002" }
                  }
                  routes = [
                """ + String.join("\n", routes) + """

                  ]
                }
                """;
    }

    static List<ConfigProblem> problems(String hocon) {
        return problems(hocon, Map.of());
    }

    static List<ConfigProblem> problems(String hocon, Map<String, String> env) {
        try {
            GatewayConfig config = ConfigLoader.parse(hocon, env);
            throw new AssertionError("expected problems, but the config was valid: " + config);
        } catch (ConfigValidationException e) {
            return e.problems();
        }
    }

    static ConfigProblem onlyProblem(String hocon) {
        List<ConfigProblem> problems = problems(hocon);
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }
}
