package dev.tandem.it.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.support.ManagedProcess;
import dev.tandem.it.support.Ports;
import dev.tandem.it.support.Readiness;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The gateway jar as its own JVM ({@code java -jar tandem-gateway.jar --config FILE}), with Netty's leak
 * detector at PARANOID so a leaked buffer shows up as {@code LEAK:} in its log, which fails the suite.
 */
final class GatewayProcess implements Gateway, AutoCloseable {

    private final String name;
    private final int eventLoops;
    private final int port;
    private final int adminPort;
    private final ManagedProcess process;
    private final Path config;
    private final URI django;
    private final URI fastapi;

    private GatewayProcess(String name, int eventLoops, int port, int adminPort, ManagedProcess process, Path config,
            URI django, URI fastapi) {
        this.name = name;
        this.eventLoops = eventLoops;
        this.port = port;
        this.adminPort = adminPort;
        this.process = process;
        this.config = config;
        this.django = django;
        this.fastapi = fastapi;
    }

    static Path jar() {
        String configured = System.getProperty("tandem.gateway.jar");
        if (configured == null || configured.isBlank()) {
            throw new IllegalStateException("Missing prerequisite: system property tandem.gateway.jar "
                    + "(set by failsafe to gateway/target/tandem-gateway.jar)");
        }
        Path jar = Path.of(configured).normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Missing prerequisite: the gateway jar " + jar + " is not built; "
                    + "run `mvn -B verify` from the repository root (the reactor builds gateway/ first)");
        }
        return jar;
    }

    static GatewayProcess start(int eventLoops, URI django, URI fastapi, Path logDir) {
        String name = eventLoops + "-loop";
        int port = Ports.free();
        int adminPort = Ports.free();
        Path config = logDir.resolve("gateway-" + name + ".conf");
        GatewayConfigFile.write(config, GatewayConfigFile.render("127.0.0.1", port, adminPort, eventLoops, django, fastapi,
                GatewayOptions.DEFAULT));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ManagedProcess process = ManagedProcess.of("gateway-" + name, List.of(java,
                        "-Dio.netty.leakDetection.level=paranoid",
                        "-Dio.netty.leakDetection.targetRecords=32",
                        "-Xmx384m", "-XX:+UseSerialGC",
                        "-jar", jar().toString(), "--config", config.toString()))
                .logs(logDir.resolve("gateway-" + name + ".access.log"), logDir.resolve("gateway-" + name + ".log"))
                .start();
        GatewayProcess gateway = new GatewayProcess(name, eventLoops, port, adminPort, process, config, django,
                fastapi);
        Readiness.until(process, "listen port " + port + " accepts", Duration.ofSeconds(30), () -> Ports.accepts(port));
        if (Ports.accepts(adminPort)) {
            Readiness.awaitHttpOk(process, URI.create("http://127.0.0.1:" + adminPort + "/healthz"), Duration.ofSeconds(30));
        }
        return gateway;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int eventLoops() {
        return eventLoops;
    }

    @Override
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + adminPort);
    }

    @Override
    public void reconfigure(GatewayOptions options) {
        GatewayConfigFile.write(config, GatewayConfigFile.render("127.0.0.1", port, adminPort, eventLoops, django,
                fastapi, options));
        GatewayAdmin.of(this).reload();
    }

    @Override
    public List<JsonNode> accessLog() {
        return GatewayLogs.accessLog(process.stdoutLog());
    }

    @Override
    public List<String> leakReports() {
        return GatewayLogs.leakReports(logs());
    }

    @Override
    public List<Path> logs() {
        return List.of(process.stderrLog(), process.stdoutLog());
    }

    @Override
    public String logTail() {
        return GatewayLogs.tail(logs(), 40);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Makes leaks visible before shutdown: Netty reports a leaked buffer only once it has been collected and
     * a later buffer is tracked, so force a full GC in the gateway JVM, then send traffic through it.
     */
    void surfaceLeaks() {
        if (!process.isAlive()) {
            return;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            ManagedProcess.of("jcmd-" + name, jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .log(process.stderrLog().resolveSibling("gateway-" + name + ".jcmd.log"))
                    .run(Duration.ofSeconds(30));
        }
        for (int i = 0; i < 4; i++) {
            Readiness.status(baseUrl().resolve("/healthz"));
        }
    }

    /** SIGTERM: a graceful drain; killed if it has not exited after 15 s. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(15));
    }
}
