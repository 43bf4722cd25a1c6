package dev.tandem.testing;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.GatewayConfig;
import dev.tandem.server.GatewayServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** The gateway in-process, on an ephemeral loopback port, from a HOCON snippet. */
public final class TestGateway implements AutoCloseable {
    private final GatewayServer server;

    private TestGateway(GatewayServer server) {
        this.server = server;
    }

    /**
     * Starts a gateway whose {@code tandem} block is {@code body}, on 127.0.0.1 port 0 with one event loop unless the
     * body says otherwise.
     */
    public static TestGateway start(String body) throws InterruptedException {
        String hocon = "tandem { listen { host = \"127.0.0.1\", port = 0, event-loops = 1 }\n"
                + "admin { port = 0 }\n" + body + "\n}";
        GatewayConfig config = ConfigLoader.parse(hocon, Map.of());
        return new TestGateway(GatewayServer.start(config));
    }

    public int port() {
        return server.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public GatewayServer server() {
        return server;
    }

    public void drain(Duration timeout) {
        server.drainAndStop(timeout);
    }

    @Override
    public void close() {
        server.close();
    }
}
