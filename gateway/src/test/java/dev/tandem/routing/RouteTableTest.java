package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {
    private static final RouteTable TABLE = RouteTable.of(ConfigLoader.parse("""
            tandem {
              backends { django { url = "http://127.0.0.1:8001" }, fastapi { url = "http://127.0.0.1:8002" } }
              routes = [
                { name = health,   match { path = "/healthz" }, backend = fastapi }
                { name = admin,    match { prefix = "/admin" }, backend = django }
                { name = reads,    match { prefix = "/api/products", methods = [GET, HEAD] }, backend = fastapi }
                { name = v2-keyed, match { prefix = "/api/v2", headers { "X-Api-Key" = "*" } }, backend = fastapi }
                { name = v2-beta,  match { prefix = "/api/v2", headers { "X-Beta" = "yes" } }, backend = fastapi }
                { name = slugs,    match { regex = "/p/[a-z0-9-]+" }, backend = django }
                { name = trailing, match { prefix = "/docs/" }, backend = fastapi }
                { name = core,     match { prefix = "/" }, backend = django }
              ]
            }
            """, Map.of()));

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "GET    | /healthz              | -              | health",
            "GET    | /healthz/x            | -              | core",
            "GET    | /admin                | -              | admin",
            "GET    | /admin/                | -             | admin",
            "POST   | /admin/shop/product/1 | -              | admin",
            "GET    | /administrator        | -              | core",
            "GET    | /admin-tools          | -              | core",
            "GET    | /api/products         | -              | reads",
            "HEAD   | /api/products/7       | -              | reads",
            "POST   | /api/products/7/stock | -              | core",
            "GET    | /api/productsx        | -              | core",
            "GET    | /api/v2/search        | X-Api-Key: k   | v2-keyed",
            "GET    | /api/v2/search        | X-Beta: yes    | v2-beta",
            "GET    | /api/v2/search        | X-Beta: no     | core",
            "GET    | /api/v2/search        | -              | core",
            "GET    | /p/blue-mug-2         | -              | slugs",
            "GET    | /p/Blue_Mug           | -              | core",
            "GET    | /p/blue-mug/extra     | -              | core",
            "GET    | /docs/intro           | -              | trailing",
            "GET    | /docs                 | -              | trailing",
            "GET    | /                     | -              | core",
    })
    void theFirstMatchingRouteInDeclaredOrderWins(String method, String path, String header, String expected) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (header != null) {
            String[] parts = header.split(":\\s*", 2);
            headers.add(parts[0], parts[1]);
        }

        Route route = TABLE.route(HttpMethod.valueOf(method.trim()), path.trim(), headers);

        assertThat(route).isNotNull();
        assertThat(route.name()).isEqualTo(expected.trim());
    }

    @ParameterizedTest
    @CsvSource({"/admin, /admin, true", "/admin, /admin/x, true", "/admin, /administrator, false",
            "/, /anything, true", "/api, /ap, false", "/api, /api?x, false"})
    void prefixesAreSegmentAware(String prefix, String path, boolean matches) {
        assertThat(Route.matchesPrefix(prefix, path)).isEqualTo(matches);
    }
}
