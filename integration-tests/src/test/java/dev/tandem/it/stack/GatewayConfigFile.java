package dev.tandem.it.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Collectors;

/**
 * The HOCON file a gateway under test is started with: the reference hybrid routing of the product
 * ({@code /admin} and everything else to Django; {@code /api/v2} to FastAPI), with the dual-served product reads
 * ready to be moved: split {@code django = 100, fastapi = 0}, sticky by Django's {@code sessionid} cookie, falling
 * back to Django, and mirrored to FastAPI with every answer compared. The {@code core} route (which takes the write
 * API) mirrors too, with the default methods (GET and HEAD), to prove writes are never mirrored.
 */
final class GatewayConfigFile {

    /** A second backend name for Django's own address, declared only when {@link GatewayOptions.CoreMirror#DJANGO_TWIN}. */
    static final String DJANGO_TWIN = "django-twin";

    /**
     * The {@code core} mirror's additions when it takes writes: POST, which the apps roll back as shadows; their
     * {@code X-Tandem-Shadow-Rolled-Back} header compared, so each mirrored write's comparison shows whether the
     * shadow was rolled back; and the fields in which two placements of the same order differ ignored.
     */
    private static final String CORE_WRITES = ", methods = [GET, HEAD, POST], allow-writes = true"
            + ", compare { headers = [\"content-type\", \"x-tandem-shadow-rolled-back\"]"
            + ", ignore-fields = [\"id\", \"created_at\"] }";

    private GatewayConfigFile() {
    }

    static String render(String listenHost, int listenPort, int adminPort, int eventLoops, URI django, URI fastapi,
            GatewayOptions options) {
        String compareHeaders = options.productCompareHeaders().stream()
                .map(h -> "\"" + h + "\"").collect(Collectors.joining(", "));
        String twin = options.coreMirror() == GatewayOptions.CoreMirror.DJANGO_TWIN
                ? "    " + DJANGO_TWIN + " { url = \"" + (options.coreTwinUrl() != null ? options.coreTwinUrl() : django)
                        + "\", pool { idle-timeout = 50s } }\n"
                : "";
        return """
                # Written by the integration tests.
                tandem {
                  listen { host = "%s", port = %d, event-loops = %d }
                  # The containers provider also sets TANDEM_ADMIN_TOKEN, to the same value (Gateway.ADMIN_TOKEN).
                  admin  { host = "%s", port = %d, token = "%s" }
                  traffic { override-header = "%s" }
                  backends {
                    # As deployed: shorter than gunicorn's and uvicorn's 75 s keep-alive, so a pooled connection is never closed under a request.
                    django  { url = "%s", pool { idle-timeout = 50s } }
                    # Pipelined shadows, as deployed: uvicorn answers pipelined requests in order.
                    fastapi { url = "%s", pool { idle-timeout = 50s }, shadow-pipelining = true }
                %s  }
                  routes = [
                    { name = admin,         match { prefix = "/admin" }, backend = django }
                    { name = products-read
                      match { prefix = "/api/products", methods = [GET, HEAD] }
                      split { django = 100, fastapi = 0 }
                      sticky { cookie = "sessionid" }
                      fallback = django
                      mirror { to = fastapi, percent = 100, compare { headers = [%s] } }
                    }
                    { name = api-v2,        match { prefix = "/api/v2" }, backend = fastapi }
                    { name = core,          match { prefix = "/" }, backend = django, mirror { to = %s%s } }
                  ]
                }
                """.formatted(listenHost, listenPort, eventLoops, listenHost, adminPort, Gateway.ADMIN_TOKEN,
                Gateway.OVERRIDE_HEADER, django, fastapi, twin, compareHeaders, options.coreMirror().backend(),
                options.coreMirrorsWrites() ? CORE_WRITES : "");
    }

    /**
     * Replaces a config file whole (a temporary file, then a move), so the gateway's file watcher never reads half
     * of one.
     */
    static void write(Path file, String content) {
        try {
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".gateway", ".conf.tmp");
            Files.writeString(temp, content);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
