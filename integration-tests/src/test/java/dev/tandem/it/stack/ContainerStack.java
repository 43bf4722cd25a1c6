package dev.tandem.it.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports.Binding;
import dev.tandem.it.support.ManagedProcess;
import dev.tandem.it.support.Readiness;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.MountableFile;

/**
 * The stack in containers where a Docker engine runs: PostgreSQL, the Django and FastAPI images built from
 * the {@code deploy/} Dockerfiles, and the gateway jar on a JRE image, on one network with fixed addresses
 * (the gateway resolves backend names once at start, so an app restarted by a test must come back at the
 * same address). Container output goes to the same log files as the process provider's. The host runs
 * {@code deploy/bin/prepare} and the Python suites against the database's mapped port.
 *
 * <p>Expected of the deploy images: {@code deploy/<app>/Dockerfile} with {@code deploy/} as the build
 * context, serving on {@value #APP_PORT} by default and configured by the same environment as the processes.
 */
final class ContainerStack extends StackBase {

    static final int APP_PORT = 8000;
    private static final int GATEWAY_PORT = 8080;
    private static final int ADMIN_PORT = 8081;
    private static final String POSTGRES_IMAGE = "postgres:17-alpine";
    private static final String JRE_IMAGE = "eclipse-temurin:17-jre";

    private final Path repoRoot;
    private final String subnet = "172.31." + ThreadLocalRandom.current().nextInt(16, 250);
    private Network network;
    private PostgreSQLContainer postgres;
    private final Map<Backend, GenericContainer<?>> apps = new LinkedHashMap<>();
    private final Map<Integer, ContainerGateway> gateways = new LinkedHashMap<>();
    private boolean started;
    private Teardown teardown;

    ContainerStack(Database database, Path repoRoot, Path logDir) {
        super(requirePostgres(database), repoRoot, logDir);
        this.repoRoot = repoRoot;
    }

    private static Database requirePostgres(Database database) {
        if (database != Database.POSTGRES) {
            throw new IllegalStateException("the SQLite configuration is the local run; use -Dtandem.stack=processes");
        }
        return database;
    }

    @Override
    public String provider() {
        return "containers";
    }

    private String ip(int host) {
        return subnet + "." + host;
    }

    private String gatewayIp(int eventLoops) {
        return ip(30 + eventLoops);
    }

    private synchronized PostgreSQLContainer postgres() {
        if (teardown != null) {
            throw new IllegalStateException("the stack has been shut down");
        }
        if (postgres == null) {
            network = Network.builder()
                    .createNetworkCmdModifier(cmd -> cmd.withIpam(new com.github.dockerjava.api.model.Network.Ipam()
                            .withConfig(new com.github.dockerjava.api.model.Network.Ipam.Config()
                                    .withSubnet(subnet + ".0/24"))))
                    .build();
            postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                    .withDatabaseName(PostgresServer.APP_DATABASE)
                    .withUsername(PostgresServer.USER)
                    .withPassword(PostgresServer.PASSWORD)
                    .withNetwork(network)
                    .withNetworkAliases("postgres")
                    .withCreateContainerCmdModifier(cmd -> cmd.withIpv4Address(ip(10)))
                    .withLogConsumer(toFile(logDir.resolve("postgres.log"), null));
            postgres.start();
        }
        return postgres;
    }

    private String hostDatabaseUrl(String name) {
        PostgreSQLContainer pg = postgres();
        return "postgresql://" + PostgresServer.USER + ":" + PostgresServer.PASSWORD + "@" + pg.getHost() + ":"
                + pg.getMappedPort(5432) + "/" + name;
    }

    @Override
    public String databaseUrl() {
        return hostDatabaseUrl(PostgresServer.APP_DATABASE);
    }

    @Override
    public String createDatabase(String name) {
        try {
            var result = postgres().execInContainer("psql", "-U", PostgresServer.USER, "-d", "postgres", "-c",
                    "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "-c", "CREATE DATABASE " + name);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException("cannot create database " + name + ": " + result.getStderr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return hostDatabaseUrl(name);
    }

    @Override
    public ManagedProcess.Result runPythonSuites(String databaseUrl, String logName) {
        return ManagedProcess.of("python-tests", deploy.script("test").toString())
                .env(deploy.env(databaseUrl))
                .workDir(repoRoot)
                .log(logDir.resolve(logName))
                .run(Duration.ofMinutes(10));
    }

    @Override
    public void warmUp(HybridStackTest.Needs needs) {
        switch (needs) {
            case NOTHING -> { }
            case DATABASE -> {
                postgres();
                deploy.venv();
            }
            case EVERYTHING -> ensureStarted();
        }
    }

    private synchronized void ensureStarted() {
        if (started) {
            return;
        }
        postgres();
        deploy.prepare(databaseUrl(), "prepare.log");
        String inNetworkUrl = "postgresql://" + PostgresServer.USER + ":" + PostgresServer.PASSWORD + "@"
                + ip(10) + ":5432/" + PostgresServer.APP_DATABASE;
        int host = 20;
        for (Backend backend : Backend.values()) {
            Path dockerfile = deploy.dir().resolve(backend.id()).resolve("Dockerfile");
            if (!Files.isRegularFile(dockerfile)) {
                throw new IllegalStateException("Missing prerequisite: " + dockerfile);
            }
            String address = ip(host++);
            GenericContainer<?> app = new GenericContainer<>(new ImageFromDockerfile("tandem-it-" + backend.id(), false)
                    .withFileFromPath(".", deploy.dir())
                    .withDockerfile(dockerfile))
                    .withNetwork(network)
                    .withNetworkAliases(backend.id())
                    .withCreateContainerCmdModifier(cmd -> cmd.withIpv4Address(address))
                    .withEnv("DATABASE_URL", inNetworkUrl)
                    .withEnv("TANDEM_TRUSTED_PROXIES", EVENT_LOOPS.stream().map(n -> gatewayIp(n)).collect(java.util.stream.Collectors.joining(",")))
                    .withEnv("DJANGO_ALLOWED_HOSTS", "*")
                    .withEnv("WEB_CONCURRENCY", "2")
                    .withExposedPorts(APP_PORT)
                    .waitingFor(Wait.forHttp("/healthz").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)))
                    .withLogConsumer(toFile(logDir.resolve(backend.id() + ".log"), null));
            app.start();
            apps.put(backend, app);
        }
        for (int loops : EVENT_LOOPS) {
            ContainerGateway gateway = new ContainerGateway(loops, logDir.resolve("gateway-" + loops + "-loop.conf"));
            gateway.writeConfig(GatewayOptions.DEFAULT);
            gateway.createContainer();
            gateway.container.start();
            gateways.put(loops, gateway);
        }
        started = true;
    }

    @Override
    public Gateway gateway(int eventLoops) {
        ensureStarted();
        return gateways.get(eventLoops);
    }

    @Override
    public List<Gateway> gateways() {
        ensureStarted();
        return List.copyOf(gateways.values());
    }

    /** Containers reach the gateway container through the network's gateway address. */
    @Override
    public String clientAddress() {
        ensureStarted();
        return gateways.values().iterator().next().container.getContainerInfo().getNetworkSettings().getNetworks()
                .values().iterator().next().getGateway();
    }

    /** Whatever the local address, the gateway container sees the host through the network's gateway. */
    @Override
    public String clientAddressSeenFrom(java.net.InetAddress localAddress) {
        return clientAddress();
    }

    /** Only the gateway containers are trusted proxies; the host is not. */
    @Override
    public boolean isTrustedProxy(java.net.InetAddress localAddress) {
        return false;
    }

    @Override
    public URI directUrl(Backend backend) {
        ensureStarted();
        GenericContainer<?> app = apps.get(backend);
        // Looked up live: a restarted container may be given another host port.
        Binding[] bindings = DockerClientFactory.instance().client().inspectContainerCmd(app.getContainerId()).exec()
                .getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(APP_PORT));
        return URI.create("http://" + app.getHost() + ":" + bindings[0].getHostPortSpec());
    }

    @Override
    public void stop(Backend backend) {
        ensureStarted();
        DockerClient docker = DockerClientFactory.instance().client();
        docker.stopContainerCmd(apps.get(backend).getContainerId()).withTimeout(10).exec();
    }

    @Override
    public void start(Backend backend) {
        ensureStarted();
        DockerClient docker = DockerClientFactory.instance().client();
        String id = apps.get(backend).getContainerId();
        if (!Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning())) {
            docker.startContainerCmd(id).exec();
        }
        URI health = directUrl(backend).resolve("/healthz");
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> Readiness.status(health) == 200);
    }

    @Override
    public List<String> leakReports() {
        return gateways.values().stream().flatMap(g -> g.leakReports().stream()).toList();
    }

    @Override
    public synchronized Teardown shutdown() {
        if (teardown != null) {
            return teardown;
        }
        List<Throwable> errors = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (ContainerGateway g : gateways.values()) {
            attempt(errors, () -> g.container.getDockerClient()
                    .stopContainerCmd(g.container.getContainerId()).withTimeout(15).exec());
            leaks.addAll(g.leakReports());
            attempt(errors, g.container::stop);
        }
        apps.values().forEach(c -> attempt(errors, c::stop));
        if (postgres != null) {
            attempt(errors, postgres::stop);
        }
        if (network != null) {
            attempt(errors, network::close);
        }
        teardown = Teardown.collect(errors, leaks, logDir);
        return teardown;
    }

    private static void attempt(List<Throwable> errors, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            errors.add(e);
        }
    }

    /** Appends a container's stdout to one file and its stderr to another (or both to the first). */
    private static Consumer<OutputFrame> toFile(Path stdout, Path stderr) {
        return frame -> {
            if (frame.getType() == OutputFrame.OutputType.END) {
                return;
            }
            Path target = frame.getType() == OutputFrame.OutputType.STDERR && stderr != null ? stderr : stdout;
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(frame.getBytes() == null ? new byte[0] : frame.getBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The gateway jar on a JRE image. */
    private final class ContainerGateway implements Gateway {
        private final int eventLoops;
        private final Path accessLog;
        private final Path log;
        private final Path config;
        private GenericContainer<?> container;

        ContainerGateway(int eventLoops, Path config) {
            this.eventLoops = eventLoops;
            this.config = config;
            this.accessLog = logDir.resolve("gateway-" + eventLoops + "-loop.access.log");
            this.log = logDir.resolve("gateway-" + eventLoops + "-loop.log");
        }

        /** The file this gateway is configured with, written on the host (under the logs) with {@code options}. */
        void writeConfig(GatewayOptions options) {
            GatewayConfigFile.write(config, GatewayConfigFile.render("0.0.0.0", GATEWAY_PORT, ADMIN_PORT, eventLoops,
                    URI.create("http://" + ip(20) + ":" + APP_PORT), URI.create("http://" + ip(21) + ":" + APP_PORT),
                    options));
        }

        void createContainer() {
            this.container = new GenericContainer<>(JRE_IMAGE)
                    .withNetwork(network)
                    .withCreateContainerCmdModifier(cmd -> cmd.withIpv4Address(gatewayIp(eventLoops)))
                    .withCopyFileToContainer(MountableFile.forHostPath(GatewayProcess.jar()), "/opt/tandem/tandem-gateway.jar")
                    .withCopyFileToContainer(MountableFile.forHostPath(config), "/opt/tandem/tandem.conf")
                    // Admin listens on all interfaces inside the container, so the gateway requires a token there.
                    .withEnv("TANDEM_ADMIN_TOKEN", Gateway.ADMIN_TOKEN)
                    .withCommand("java", "-Dio.netty.leakDetection.level=paranoid",
                            "-Dio.netty.leakDetection.targetRecords=32", "-jar", "/opt/tandem/tandem-gateway.jar",
                            "--config", "/opt/tandem/tandem.conf")
                    .withExposedPorts(GATEWAY_PORT, ADMIN_PORT)
                    .waitingFor(Wait.forListeningPorts(GATEWAY_PORT))
                    .withLogConsumer(toFile(accessLog, log));
        }

        @Override
        public String name() {
            return eventLoops + "-loop";
        }

        @Override
        public int eventLoops() {
            return eventLoops;
        }

        @Override
        public URI baseUrl() {
            return URI.create("http://" + container.getHost() + ":" + container.getMappedPort(GATEWAY_PORT));
        }

        @Override
        public URI adminUrl() {
            return URI.create("http://" + container.getHost() + ":" + container.getMappedPort(ADMIN_PORT));
        }

        /** Copies the new file next to the old one in the container, renames it over it, then reloads. */
        @Override
        public void reconfigure(GatewayOptions options) {
            writeConfig(options);
            container.copyFileToContainer(MountableFile.forHostPath(config), "/opt/tandem/tandem.conf.new");
            try {
                var moved = container.execInContainer("mv", "-f", "/opt/tandem/tandem.conf.new", "/opt/tandem/tandem.conf");
                if (moved.getExitCode() != 0) {
                    throw new IllegalStateException("cannot replace the config of " + name() + ": " + moved.getStderr());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            GatewayAdmin.of(this).reload();
        }

        @Override
        public List<JsonNode> accessLog() {
            return GatewayLogs.accessLog(accessLog);
        }

        @Override
        public List<String> leakReports() {
            return GatewayLogs.leakReports(logs());
        }

        @Override
        public List<Path> logs() {
            return List.of(log, accessLog);
        }

        @Override
        public String logTail() {
            return GatewayLogs.tail(logs(), 40);
        }
    }
}
