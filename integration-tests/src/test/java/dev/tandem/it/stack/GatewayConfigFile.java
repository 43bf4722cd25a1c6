package dev.tandem.it.stack;

import java.net.URI;

/**
 * The HOCON file a gateway under test is started with: the reference hybrid routing of the product
 * ({@code /admin} and everything else to Django; product reads and {@code /api/v2} to FastAPI).
 */
final class GatewayConfigFile {

    private GatewayConfigFile() {
    }

    static String render(String listenHost, int listenPort, int adminPort, int eventLoops, URI django, URI fastapi) {
        return """
                # Written by the integration tests.
                tandem {
                  listen { host = "%s", port = %d, event-loops = %d }
                  admin  { host = "%s", port = %d }
                  backends {
                    # As deployed: shorter than gunicorn's and uvicorn's 75 s keep-alive, so a pooled connection is never closed under a request.
                    django  { url = "%s", pool { idle-timeout = 50s } }
                    fastapi { url = "%s", pool { idle-timeout = 50s } }
                  }
                  routes = [
                    { name = admin,         match { prefix = "/admin" }, backend = django }
                    { name = products-read, match { prefix = "/api/products", methods = [GET, HEAD] }, backend = fastapi }
                    { name = api-v2,        match { prefix = "/api/v2" }, backend = fastapi }
                    { name = core,          match { prefix = "/" }, backend = django }
                  ]
                }
                """.formatted(listenHost, listenPort, eventLoops, listenHost, adminPort, django, fastapi);
    }
}
