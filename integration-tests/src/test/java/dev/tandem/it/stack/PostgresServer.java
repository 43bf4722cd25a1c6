package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import dev.tandem.it.support.Ports;
import dev.tandem.it.support.Readiness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server on a loopback port: {@code initdb} into a fresh directory, {@code postgres}
 * in the foreground with its log under {@code target/}, ready when an SQL ping succeeds.
 *
 * <p>PostgreSQL refuses to run as root. When the tests run as root, both commands run as {@code nobody}
 * through {@code setpriv}, with the cluster in a directory under {@code /tmp} that {@code nobody} owns and can
 * reach (the repository may live under {@code /root}, which it cannot).
 */
final class PostgresServer implements AutoCloseable {

    static final String USER = "tandem";
    static final String PASSWORD = "tandem-it";
    static final String APP_DATABASE = "tandem";

    private final ManagedProcess process;
    private final Path clusterDir;
    private final int port;

    private PostgresServer(ManagedProcess process, Path clusterDir, int port) {
        this.process = process;
        this.clusterDir = clusterDir;
        this.port = port;
    }

    static PostgresServer start(Path logDir) {
        boolean root = Os.isRoot();
        Path cacheRoot = root ? Path.of(System.getProperty("java.io.tmpdir"), "tandem-it-cache")
                : Path.of(System.getProperty("user.home"), ".cache", "tandem");
        PostgresBinaries binaries = PostgresBinaries.locate(cacheRoot);
        try {
            Path clusterDir = Files.createTempDirectory(root ? Path.of(System.getProperty("java.io.tmpdir"))
                    : Files.createDirectories(logDir.getParent()), "tandem-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Path data = clusterDir.resolve("data");
            Path pwfile = clusterDir.resolve("pwfile");
            Files.writeString(pwfile, PASSWORD + "\n");
            if (root) {
                chownToNobody(clusterDir);
                chownToNobody(pwfile);
            }
            List<String> asUser = root
                    ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--")
                    : List.of();
            Files.writeString(logDir.resolve("postgres.log"), "# PostgreSQL binaries: " + binaries.bin()
                    + " (" + binaries.origin() + ")" + (root ? ", run as nobody" : "") + "\n");

            List<String> initdb = new ArrayList<>(asUser);
            initdb.addAll(List.of(binaries.initdb().toString(), "-D", data.toString(), "-U", USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"));
            ManagedProcess.of("initdb", initdb)
                    .workDir(clusterDir)
                    .log(logDir.resolve("postgres.log"))
                    .run(Duration.ofMinutes(2))
                    .requireSuccess();

            int port = Ports.free();
            List<String> postgres = new ArrayList<>(asUser);
            postgres.addAll(List.of(binaries.postgres().toString(), "-D", data.toString(),
                    "-h", "127.0.0.1", "-p", Integer.toString(port), "-k", "",
                    // A throw-away cluster: durability is not what is under test.
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "max_connections=200"));
            ManagedProcess process = ManagedProcess.of("postgres", postgres)
                    .workDir(clusterDir)
                    .log(logDir.resolve("postgres.log"))
                    .start();
            PostgresServer server = new PostgresServer(process, clusterDir, port);
            Readiness.until(process, "SELECT 1 on 127.0.0.1:" + port, Duration.ofSeconds(60), server::ping);
            server.createDatabase(APP_DATABASE);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a PostgreSQL cluster", e);
        }
    }

    int port() {
        return port;
    }

    /** The URL the Python apps understand, as seen from this machine. */
    String databaseUrl(String database) {
        return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + database;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates an empty database (dropping a leftover of the same name) and returns its URL. */
    String createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name: " + name);
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on port " + port, e);
        }
        return databaseUrl(name);
    }

    private boolean ping() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            return s.execute("SELECT 1");
        } catch (SQLException e) {
            return false;
        }
    }

    ManagedProcess process() {
        return process;
    }

    /** Fast shutdown (SIGINT: abort sessions, shut down cleanly), then the cluster directory goes. */
    @Override
    public void close() {
        try {
            process.stop("INT", Duration.ofSeconds(20));
        } finally {
            deleteRecursively(clusterDir);
        }
    }

    private static void chownToNobody(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal nobody = lookup.lookupPrincipalByName("nobody");
        GroupPrincipal nogroup = lookup.lookupPrincipalByGroupName("nogroup");
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(nobody);
        view.setGroup(nogroup);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover in the temporary directory is harmless
        }
    }
}
