package dev.tandem.it.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Picks the provider: {@code -Dtandem.stack=containers|processes}, or {@code auto} (the default):
 * containers when a Docker engine answers, local processes otherwise.
 */
final class Stacks {

    private Stacks() {
    }

    static HybridStack create(HybridStack.Database database) {
        String choice = System.getProperty("tandem.stack", "auto").trim();
        String provider = switch (choice) {
            case "processes", "containers" -> choice;
            case "", "auto" -> quietly(Stacks::dockerAvailable) ? "containers" : "processes";
            default -> throw new IllegalArgumentException(
                    "-Dtandem.stack=" + choice + " (expected: auto, processes or containers)");
        };
        System.out.println("[tandem-it] " + database.name().toLowerCase() + " stack: " + provider
                + " (-Dtandem.stack=" + (choice.isEmpty() ? "auto" : choice) + ")");
        Path repoRoot = Path.of(System.getProperty("tandem.repo.root", "..")).toAbsolutePath().normalize();
        Path logDir = freshDir(Path.of(System.getProperty("tandem.it.dir", "target/it")).toAbsolutePath()
                .resolve(provider + "-" + database.name().toLowerCase()));
        if (provider.equals("containers")) {
            if (!dockerAvailable()) {
                throw new IllegalStateException("Missing prerequisite: -Dtandem.stack=containers needs a Docker engine, "
                        + "and Testcontainers found none");
            }
            return new ContainerStack(database, repoRoot, logDir);
        }
        return new ProcessStack(database, repoRoot, logDir);
    }

    /** Probing for Docker logs an ERROR when there is none, which is the normal case for {@code auto} here. */
    private static boolean quietly(java.util.function.BooleanSupplier probe) {
        Logger logger = (Logger) LoggerFactory.getLogger("org.testcontainers");
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            return probe.getAsBoolean();
        } finally {
            logger.setLevel(level);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** The stack's log directory, emptied: logs are appended to, and must describe this run only. */
    private static Path freshDir(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
