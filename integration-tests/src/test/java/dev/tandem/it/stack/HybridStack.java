package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole hybrid deployment under test: a database, Django and FastAPI over it, and Tandem gateways in
 * front (one per tested event-loop count). Two providers implement it, {@link ProcessStack} (local processes)
 * and {@link ContainerStack} (Testcontainers); the tests are written against this interface only.
 *
 * <p>Parts start lazily: a test that only needs a database does not wait for the apps and the gateways.
 */
public interface HybridStack extends AutoCloseable {

    /** Which database the apps share. */
    enum Database {
        /** A real PostgreSQL server, the production shape. */
        POSTGRES,
        /** {@code DATABASE_URL} unset: the apps' default SQLite file, the local-run configuration. */
        SQLITE
    }

    /** The event-loop counts every gateway-facing test runs against. */
    List<Integer> EVENT_LOOPS = List.of(1, 2);

    String ADMIN_USER = "admin";

    /** {@code processes} or {@code containers}. */
    String provider();

    Database database();

    /** The gateway configured with {@code listen.event-loops = eventLoops}; starts the stack if needed. */
    Gateway gateway(int eventLoops);

    List<Gateway> gateways();

    /** The address the apps should report for this test JVM as the client (it reaches the gateway from there). */
    String clientAddress();

    /** The client address the apps should report for a test client bound to {@code localAddress}. */
    String clientAddressSeenFrom(java.net.InetAddress localAddress);

    /** Whether the apps take a test client bound to {@code localAddress} for a trusted proxy. */
    boolean isTrustedProxy(java.net.InetAddress localAddress);

    /** An app's own address, bypassing the gateway. */
    URI directUrl(Backend backend);

    /** Stops one app (its server and workers, proven gone). The gateways keep running. */
    void stop(Backend backend);

    /** Starts a stopped app again at the same address and waits until it is healthy. */
    void start(Backend backend);

    /** The apps' database as a URL valid on this machine ({@code postgresql://...} or {@code sqlite:///...}). */
    String databaseUrl();

    /** A fresh, empty PostgreSQL database on the stack's server, as a URL valid on this machine. */
    String createDatabase(String name);

    /** Runs {@code deploy/bin/test} (every Python suite) against {@code databaseUrl}; its log goes to {@code logName}. */
    ManagedProcess.Result runPythonSuites(String databaseUrl, String logName);

    String adminPassword();

    /** Where every log of this stack is written. */
    Path logDir();

    /** Starts what a test class needs, before its timeouts apply. */
    void warmUp(HybridStackTest.Needs needs);

    /** {@code LEAK:} lines in the logs of the gateways started so far; starts nothing. */
    List<String> leakReports();

    /** Tears everything down (idempotent) and reports leaks and surviving processes. */
    Teardown shutdown();

    @Override
    default void close() {
        shutdown().assertClean();
    }
}
