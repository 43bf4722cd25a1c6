package dev.tandem.config;

import static dev.tandem.config.TestConfigs.onlyProblem;
import static dev.tandem.config.TestConfigs.problems;
import static dev.tandem.config.TestConfigs.withRoutes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A route's split, stickiness, fallback, timeout, rate limit and mirror. */
class RouteTrafficTest {

    private static RouteConfig onlyRoute(String route) {
        return ConfigLoader.parse(withRoutes(route)).routes().get(0);
    }

    private static String route(String settings) {
        return "{ name = r, match { prefix = \"/\" }, " + settings + " }";
    }

    // ---- defaults ----------------------------------------------------------------------------------------------

    @Test
    void aRouteWithOnlyABackendHasEveryFeatureOff() {
        RouteConfig route = onlyRoute(route("backend = django"));

        assertThat(route).isEqualTo(RouteConfig.of("r", route.match(), "django"));
        assertThat(route.weights()).containsExactly(Map.entry("django", 100));
        assertThat(route.sticky()).isEqualTo(StickyConfig.NONE);
        assertThat(route.fallback()).isNull();
        assertThat(route.timeout()).isNull();
        assertThat(route.rateLimit()).isNull();
        assertThat(route.mirror()).isNull();
    }

    @Test
    void everyFeatureMapsToItsRecord() {
        RouteConfig route = onlyRoute(route("""
                split { django = 90, fastapi = 10 }, sticky { cookie = sessionid }, fallback = fastapi, timeout = 10s,
                rate-limit { requests-per-second = 100 }, mirror { to = fastapi }"""));

        assertThat(route.weights()).containsExactly(Map.entry("django", 90), Map.entry("fastapi", 10));
        assertThat(route.isSplit()).isTrue();
        assertThat(route.backend()).isEqualTo("django");
        assertThat(route.sticky()).isEqualTo(new StickyConfig(StickyConfig.Kind.COOKIE, "sessionid"));
        assertThat(route.fallback()).isEqualTo("fastapi");
        assertThat(route.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(route.rateLimit()).isEqualTo(new RateLimitConfig(100));
        assertThat(route.mirror()).isEqualTo(new MirrorConfig("fastapi", 100, java.util.Set.of("GET", "HEAD"),
                1024 * 1024, 64, new MirrorConfig.CompareConfig(List.of(), List.of("content-type"), true, true, true,
                        true, true, 0)));
    }

    // ---- split -------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            split { django = 90, fastapi = 10 }     | django=90, fastapi=10
            split { fastapi = 10, django = 90 }     | fastapi=10, django=90
            split { "fastapi": 50, "django": 50 }   | fastapi=50, django=50
            split.fastapi = 1, split.django = 99    | fastapi=1, django=99
            split { django = 100 }                  | django=100
            split { django = 100, fastapi = 0 }     | django=100, fastapi=0
            """)
    void aSplitKeepsTheOrderItIsWrittenIn(String split, String weights) {
        RouteConfig route = onlyRoute(route(split));

        assertThat(route.weights().toString()).isEqualTo("{" + weights + "}");
    }

    @Test
    void aSplitOverSeveralLinesKeepsTheOrderOfTheLines() {
        RouteConfig route = onlyRoute("""
                { name = r, match { prefix = "/" }, split {
                    fastapi = 30
                    django = 70
                  }
                }""");

        assertThat(route.weights().keySet()).containsExactly("fastapi", "django");
        assertThat(route.backend()).isEqualTo("django");
    }

    @Test
    void aSplitInAFileKeepsTheOrderItIsWrittenIn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, withRoutes(route("split { fastapi = 50, django = 50 }")));

        RouteConfig route = ConfigLoader.load(file, Map.of()).routes().get(0);

        assertThat(route.weights().keySet()).containsExactly("fastapi", "django");
        assertThat(route.backend()).as("the first declared wins a tie").isEqualTo("fastapi");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            backend = django, split { django = 100 }     | tandem.routes[0]                 | backend and split are both set (expected: exactly one of backend or split)
            sticky = none                                | tandem.routes[0].backend         | missing (expected: the name of a backend, or a split such as split { django = 90, fastapi = 10 })
            split = django                               | tandem.routes[0].split           | "django" (expected: an object of backend weights, such as split { django = 90, fastapi = 10 })
            split {}                                     | tandem.routes[0].split           | {} (expected: at least one backend weight, such as split { django = 90, fastapi = 10 })
            split { django = 90, fastapi = 20 }          | tandem.routes[0].split           | django 90 + fastapi 20 = 110 (expected: weights that sum to 100)
            split { django = 50 }                        | tandem.routes[0].split           | django 50 = 50 (expected: weights that sum to 100)
            split { django = 90, fastapy = 10 }          | tandem.routes[0].split.fastapy   | "fastapy" (expected: one of [django, fastapi]; did you mean "fastapi"?)
            split { django = 90.5, fastapi = 9.5 }       | tandem.routes[0].split.django    | 90.5 (expected: a whole-number weight in 0..100)
            split { django = 101, fastapi = -1 }         | tandem.routes[0].split.django    | 101 (expected: a whole-number weight in 0..100)
            split { django = lots, fastapi = 0 }         | tandem.routes[0].split.django    | "lots" (expected: a whole-number weight in 0..100)
            """)
    void aSplitIsValidated(String settings, String path, String message) {
        List<ConfigProblem> problems = problems(withRoutes(route(settings)));

        assertThat(problems).first().satisfies(p -> {
            assertThat(p.path()).isEqualTo(path);
            assertThat(p.message()).isEqualTo(message);
            assertThat(p.origin()).isEqualTo("<string>:7");
        });
    }

    // ---- sticky ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            sticky = none                              | NONE      |
            sticky = null                              | NONE      |
            'sticky { cookie = "sessionid" }'          | COOKIE    | sessionid
            'sticky { header = "X-Api-Key" }'          | HEADER    | X-Api-Key
            sticky { client-ip = true }                | CLIENT_IP |
            'sticky { client-ip = false, cookie = c }' | COOKIE    | c
            """)
    void stickinessTakesOneKind(String sticky, StickyConfig.Kind kind, String name) {
        RouteConfig route = onlyRoute(route("split { django = 50, fastapi = 50 }, " + sticky));

        assertThat(route.sticky()).isEqualTo(new StickyConfig(kind, name));
    }

    @Test
    void stickinessOnARouteWithOneBackendIsAllowed() {
        assertThat(onlyRoute(route("backend = django, sticky { client-ip = true }")).sticky().kind())
                .isEqualTo(StickyConfig.Kind.CLIENT_IP);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            'sticky { cookie = "a", header = "X-B" }' | tandem.routes[0].sticky        | cookie and header are both set (expected: exactly one of cookie, header or client-ip = true, or sticky = none)
            sticky {}                                 | tandem.routes[0].sticky        | none of cookie, header and client-ip is set (expected: exactly one of cookie, header or client-ip = true, or sticky = none)
            sticky { client-ip = false }              | tandem.routes[0].sticky        | none of cookie, header and client-ip is set (expected: exactly one of cookie, header or client-ip = true, or sticky = none)
            sticky { client-ip = yes-please }         | tandem.routes[0].sticky.client-ip | "yes-please" (expected: true or false)
            sticky = cookie                           | tandem.routes[0].sticky        | "cookie" (expected: none, or an object with one of [cookie, header, client-ip], such as sticky { cookie = "sessionid" })
            'sticky { cookie = "session id" }'        | tandem.routes[0].sticky.cookie | "session id" (expected: a cookie name, {token})
            'sticky { header = "X-Api-Key:" }'        | tandem.routes[0].sticky.header | "X-Api-Key:" (expected: a header name, {token})
            sticky { cooky = sessionid }              | tandem.routes[0].sticky.cooky  | unknown key (did you mean "cookie"?)
            """)
    void stickinessIsValidated(String sticky, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route("split { django = 50, fastapi = 50 }, " + sticky)));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message.replace("{token}", Checks.TOKEN));
        assertThat(problem.origin()).isEqualTo("<string>:7");
    }

    // ---- fallback, timeout, rate limit -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            backend = django, fallback = fastapi                           | fastapi
            split { django = 90, fastapi = 10 }, fallback = fastapi        | fastapi
            split { django = 90, fastapi = 10 }, fallback = django         | django
            backend = django, fallback = null                              |
            """)
    void aFallbackIsADeclaredBackend(String settings, String fallback) {
        assertThat(onlyRoute(route(settings)).fallback()).isEqualTo(fallback);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            backend = django, fallback = django                       | tandem.routes[0].fallback                 | "django" (expected: a backend other than the route's only backend, django)
            split { django = 100 }, fallback = django                 | tandem.routes[0].fallback                 | "django" (expected: a backend other than the route's only backend, django)
            backend = django, fallback = fastap                       | tandem.routes[0].fallback                 | "fastap" (expected: one of [django, fastapi]; did you mean "fastapi"?)
            backend = django, fallback = [fastapi]                    | tandem.routes[0].fallback                 | ["fastapi"] (expected: the name of a backend)
            backend = django, timeout = 0s                            | tandem.routes[0].timeout                  | "0s" (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            backend = django, timeout = 10                            | tandem.routes[0].timeout                  | 10 (expected: a positive duration with a unit, such as 500ms, 10s or 2m)
            backend = django, rate-limit = 100                        | tandem.routes[0].rate-limit               | 100 (expected: an object such as rate-limit { requests-per-second = 100 })
            backend = django, rate-limit { requests-per-second = 0 }  | tandem.routes[0].rate-limit.requests-per-second | 0 (expected: 1 or more)
            backend = django, rate-limit {}                           | tandem.routes[0].rate-limit.requests-per-second | missing (expected: 1 or more)
            'backend = django, rate-limit { rps = 5, requests-per-second = 5 }' | tandem.routes[0].rate-limit.rps   | unknown key (expected: one of [requests-per-second])
            """)
    void fallbackTimeoutAndRateLimitAreValidated(String settings, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route(settings)));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
        assertThat(problem.origin()).isEqualTo("<string>:7");
    }

    // ---- mirror ------------------------------------------------------------------------------------------------

    @Test
    void aMirrorIsMergedOverRouteDefaults() {
        GatewayConfig config = ConfigLoader.parse(withRoutes(route("""
                backend = django, mirror { to = fastapi, percent = 0.5, compare { ignore-fields = [updated_at] } }""")
        ) + """
                tandem.route-defaults.mirror { max-in-flight = 8, compare { headers = [Content-Type, ETag], timestamp-zone = false } }
                """);

        MirrorConfig mirror = config.routes().get(0).mirror();
        assertThat(mirror.to()).isEqualTo("fastapi");
        assertThat(mirror.percent()).isEqualTo(0.5);
        assertThat(mirror.methods()).containsExactlyInAnyOrder("GET", "HEAD");
        assertThat(mirror.mirrorsWrites()).isFalse();
        assertThat(mirror.maxBody()).isEqualTo(1024 * 1024);
        assertThat(mirror.maxInFlight()).isEqualTo(8);
        assertThat(mirror.compare().ignoreFields()).containsExactly("updated_at");
        assertThat(mirror.compare().headers()).containsExactly("content-type", "etag");
        assertThat(mirror.compare().timestampZone()).isFalse();
        assertThat(mirror.compare().decimalAsString()).isTrue();
    }

    @Test
    void aMirrorOfASplitRouteMayTargetOneOfItsBackends() {
        RouteConfig route = onlyRoute(route("split { django = 90, fastapi = 10 }, mirror { to = fastapi }"));

        assertThat(route.mirror().to()).isEqualTo("fastapi");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[GET, HEAD, OPTIONS, TRACE]", "[get]", "[]"})
    void safeMethodsAreMirroredWithoutAllowWrites(String methods) {
        RouteConfig route = onlyRoute(route("backend = django, mirror { to = fastapi, methods = " + methods + " }"));

        assertThat(route.mirror().mirrorsWrites()).isFalse();
    }

    @Test
    void writesAreMirroredOnlyWithAllowWrites() {
        RouteConfig route = onlyRoute(route(
                "backend = django, mirror { to = fastapi, methods = [GET, POST, put], allow-writes = true }"));

        assertThat(route.mirror().methods()).containsExactlyInAnyOrder("GET", "POST", "PUT");
        assertThat(route.mirror().mirrorsWrites()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "PURGE"})
    void aWriteMethodWithoutAllowWritesIsRefused(String method) {
        ConfigProblem problem = onlyProblem(withRoutes(route(
                "backend = django, mirror { to = fastapi, methods = [GET, " + method + "] }")));

        assertThat(problem).hasToString("<string>:7: tandem.routes[0].mirror.methods[1]: \"" + method + "\" mirroring "
                + "writes to a shared database (expected: allow-writes = true, and backends that roll back requests "
                + "with X-Tandem-Shadow)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            mirror = fastapi                               | tandem.routes[0].mirror                | "fastapi" (expected: an object such as mirror { to = fastapi })
            mirror { percent = 5 }                         | tandem.routes[0].mirror.to             | missing (expected: the backend to mirror to, such as mirror { to = fastapi })
            mirror { to = django }                         | tandem.routes[0].mirror.to             | "django" (expected: a backend other than the route's only backend, django)
            mirror { to = fastapy }                        | tandem.routes[0].mirror.to             | "fastapy" (expected: one of [django, fastapi]; did you mean "fastapi"?)
            mirror { to = fastapi, percent = 100.5 }       | tandem.routes[0].mirror.percent        | 100.5 (expected: a percentage in 0..100, such as 5 or 0.5)
            mirror { to = fastapi, percent = -1 }          | tandem.routes[0].mirror.percent        | -1 (expected: a percentage in 0..100, such as 5 or 0.5)
            mirror { to = fastapi, percent = half }        | tandem.routes[0].mirror.percent        | "half" (expected: a percentage in 0..100, such as 5 or 0.5)
            mirror { to = fastapi, allow-writes = 1 }      | tandem.routes[0].mirror.allow-writes   | 1 (expected: true or false)
            mirror { to = fastapi, methods = GET }         | tandem.routes[0].mirror.methods        | "GET" (expected: a list of methods, such as [GET, HEAD])
            mirror { to = fastapi, max-body = -1 }         | tandem.routes[0].mirror.max-body       | -1 (expected: a size of 0 or more, in bytes or with a unit such as 512k or 16m)
            mirror { to = fastapi, max-in-flight = 0 }     | tandem.routes[0].mirror.max-in-flight  | 0 (expected: 1 or more)
            mirror { to = fastapi, compare = 5 }           | tandem.routes[0].mirror.compare        | 5 (expected: an object)
            mirror { to = fastapi, compare { headers = [content-type, "x y"] } }   | tandem.routes[0].mirror.compare.headers[1] | "x y" (expected: a header name, {token})
            'mirror { to = fastapi, compare { ignore-fields = [id, ""] } }'        | tandem.routes[0].mirror.compare.ignore-fields[1] | "" (expected: a field name or dotted path)
            mirror { to = fastapi, compare { ignore-fields = id } }                | tandem.routes[0].mirror.compare.ignore-fields | "id" (expected: a list of JSON field names or dotted paths, such as [updated_at, results.0.id])
            mirror { to = fastapi, compare { noise-sample-percent = 101 } }        | tandem.routes[0].mirror.compare.noise-sample-percent | 101 (expected: a percentage in 0..100, such as 5 or 0.5)
            mirror { to = fastapi, compare { redirect-codes = sometimes } }        | tandem.routes[0].mirror.compare.redirect-codes | "sometimes" (expected: true or false)
            mirror { to = fastapi, precent = 5 }           | tandem.routes[0].mirror.precent        | unknown key (did you mean "percent"?)
            mirror { to = fastapi, compare { decmal-as-string = false } }          | tandem.routes[0].mirror.compare.decmal-as-string | unknown key (did you mean "decimal-as-string"?)
            """)
    void aMirrorIsValidated(String mirror, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route("backend = django, " + mirror)));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message.replace("{token}", Checks.TOKEN));
        assertThat(problem.origin()).isEqualTo("<string>:7");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            percent = 101                  | tandem.route-defaults.mirror.percent     | 101 (expected: a percentage in 0..100, such as 5 or 0.5)
            methods = [GET, DELETE]        | tandem.route-defaults.mirror.methods[1]  | "DELETE" mirroring writes to a shared database (expected: allow-writes = true, and backends that roll back requests with X-Tandem-Shadow)
            compare.headers = ["a b"]      | tandem.route-defaults.mirror.compare.headers[0] | "a b" (expected: a header name, {token})
            to = fastapi                   | tandem.route-defaults.mirror.to          | unknown key (expected: one of [allow-writes, compare, max-body, max-in-flight, methods, percent]; to goes in each route's mirror { }, it has no default)
            """)
    void aBadRouteDefaultIsReportedOnceEvenWhenNoOrSeveralRoutesMirror(String setting, String path, String message) {
        String twoMirrors = withRoutes(
                "{ name = a, match { prefix = \"/a\" }, backend = django, mirror { to = fastapi } }",
                "{ name = b, match { prefix = \"/b\" }, backend = django, mirror { to = fastapi } }");
        String noMirror = withRoutes(route("backend = django"));

        for (String routes : List.of(twoMirrors, noMirror)) {
            List<ConfigProblem> problems = problems(routes + "tandem.route-defaults.mirror." + setting);
            assertThat(problems).singleElement().satisfies(p -> {
                assertThat(p.path()).isEqualTo(path);
                assertThat(p.message()).isEqualTo(message.replace("{token}", Checks.TOKEN));
            });
        }
    }

    // ---- keys, reachability, everything at once ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            backend = django, mirorr { to = fastapi }       | tandem.routes[0].mirorr     | unknown key (did you mean "mirror"?)
            backend = django, stiky = none                  | tandem.routes[0].stiky      | unknown key (did you mean "sticky"?)
            backend = django, ratelimit { requests-per-second = 1 } | tandem.routes[0].ratelimit | unknown key (did you mean "rate-limit"?)
            spilt { django = 100 }, backend = django        | tandem.routes[0].spilt      | unknown key (did you mean "split"?)
            backend = django, fallbak = fastapi             | tandem.routes[0].fallbak    | unknown key (did you mean "fallback"?)
            """)
    void anUnknownRouteKeySuggestsTheClosestKnownKey(String settings, String path, String message) {
        ConfigProblem problem = onlyProblem(withRoutes(route(settings)));

        assertThat(problem.path()).isEqualTo(path);
        assertThat(problem.message()).isEqualTo(message);
    }

    @Test
    void aRouteWithABadMirrorIsStillCheckedForReachability() {
        List<ConfigProblem> problems = problems(withRoutes(
                "{ name = first, match { prefix = \"/\" }, backend = django, mirror { to = django } }",
                "{ name = second, match { prefix = \"/api\" }, split { django = 50, fastapi = 50 } }"));

        assertThat(problems).extracting(ConfigProblem::path)
                .containsExactly("tandem.routes[0].mirror.to", "tandem.routes[1]");
        assertThat(problems.get(1).message()).startsWith("unreachable: shadowed by route 'first'");
    }

    @Test
    void everyRouteProblemIsReportedAtOnce() {
        List<ConfigProblem> problems = problems(withRoutes(
                "{ name = a, match { prefix = \"/a\" }, split { django = 90, fastapi = 20 }, sticky { cookie = \"s s\" } }",
                "{ name = b, match { prefix = \"/b\" }, backend = django, fallback = django, timeout = -1s }",
                "{ name = c, match { prefix = \"/c\" }, backend = django, rate-limit { requests-per-second = 0 } }",
                "{ name = d, match { prefix = \"/d\" }, backend = django, mirror { to = fastapi, methods = [POST] } }"));

        assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
                "<string>:7: tandem.routes[0].split: django 90 + fastapi 20 = 110 (expected: weights that sum to 100)",
                "<string>:7: tandem.routes[0].sticky.cookie: \"s s\" (expected: a cookie name, " + Checks.TOKEN + ")",
                "<string>:8: tandem.routes[1].fallback: \"django\" (expected: a backend other than the route's only "
                        + "backend, django)",
                "<string>:8: tandem.routes[1].timeout: \"-1s\" (expected: " + Checks.POSITIVE_DURATION + ")",
                "<string>:9: tandem.routes[2].rate-limit.requests-per-second: 0 (expected: 1 or more)",
                "<string>:10: tandem.routes[3].mirror.methods[0]: \"POST\" " + Checks.MIRRORED_WRITE);
    }
}
