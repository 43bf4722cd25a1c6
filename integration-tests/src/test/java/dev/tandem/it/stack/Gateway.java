package dev.tandem.it.stack;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** One running Tandem gateway in front of the stack's two apps. */
public interface Gateway {

    /** The admin API's bearer token ({@code admin.token} in the file; {@code TANDEM_ADMIN_TOKEN} for containers). */
    String ADMIN_TOKEN = "tandem-it-admin-token";

    /** {@code traffic.override-header}: a request carrying it picks the backend of a split route. */
    String OVERRIDE_HEADER = "X-Tandem-Backend";

    /** A short label, e.g. {@code 1-loop}. */
    String name();

    /** The configured {@code listen.event-loops}. */
    int eventLoops();

    /** Where clients reach it: {@code http://127.0.0.1:PORT}. */
    URI baseUrl();

    default URI url(String pathAndQuery) {
        return baseUrl().resolve(pathAndQuery);
    }

    default URI wsUrl(String path) {
        return URI.create("ws://" + baseUrl().getAuthority() + path);
    }

    /** The public {@code Host} a client sends: {@code host:port}. */
    default String publicHost() {
        return baseUrl().getAuthority();
    }

    /** Its admin listener: {@code /api/routes}, {@code /api/mirrors}, weights, reloads. */
    URI adminUrl();

    /**
     * Rewrites its config file with {@code options} and reloads it ({@code POST /api/reload}); returns once the
     * new config is in force, or fails if the gateway rejected it. {@link GatewayOptions#DEFAULT} restores the
     * config it started with. Runtime weight changes survive a reload.
     */
    void reconfigure(GatewayOptions options);

    /** Every JSON line of the access log so far (stdout), parsed; other lines are skipped. */
    List<JsonNode> accessLog();

    /** Lines of any of its logs that report a Netty buffer leak ({@code LEAK:}). */
    List<String> leakReports();

    /** Its log files. */
    List<Path> logs();

    /** The end of its logs, for failure messages. */
    String logTail();
}
