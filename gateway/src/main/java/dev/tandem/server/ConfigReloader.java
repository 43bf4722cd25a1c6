package dev.tandem.server;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.ConfigProblem;
import dev.tandem.config.ConfigValidationException;
import dev.tandem.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Hot reload: on SIGHUP, on a change of the config file, or on {@code POST /api/reload}, the file is loaded and
 * validated whole. An invalid file is rejected with every problem logged and kept for the admin API, and the running
 * config stays; a valid one is applied through {@link GatewayServer#apply}. Reloads run one at a time on a thread
 * of their own, debounced, since editors write a file in several steps.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);
    private static final long DEBOUNCE_MILLIS = 300;
    private static final String FILE_CHANGE = "file change";

    /**
     * The outcome of the last reload.
     *
     * @param time     when it ran
     * @param trigger  what asked for it
     * @param accepted whether the new config is in force
     * @param problems why not, one line each
     */
    public record Status(Instant time, String trigger, boolean accepted, List<String> problems) {
    }

    private final Path file;
    private final GatewayServer server;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tandem-reload");
        thread.setDaemon(true);
        return thread;
    });
    private @Nullable WatchService watcher;
    private @Nullable ScheduledFuture<?> pending;
    private volatile @Nullable Status last;
    /** The bytes of the file last applied; a file event for the same bytes (our own reload's echo) is skipped. */
    private byte @Nullable [] applied;

    public ConfigReloader(Path file, GatewayServer server) {
        this.file = file.toAbsolutePath();
        this.server = server;
    }

    /** Watches the file and listens for SIGHUP. */
    public void start() throws IOException {
        applied = Files.readAllBytes(file);
        try {
            Signal.handle(new Signal("HUP"), signal -> schedule("SIGHUP"));
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available here; reload through the file or POST /api/reload");
        }
        WatchService service = FileSystems.getDefault().newWatchService();
        watcher = service;
        file.getParent().register(service, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE);
        Thread watch = new Thread(() -> watch(service), "tandem-config-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private void watch(WatchService service) {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean ours = key.pollEvents().stream()
                        .anyMatch(event -> file.getFileName().equals(event.context()));
                key.reset();
                if (ours) {
                    schedule(FILE_CHANGE);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void schedule(String trigger) {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = executor.schedule(() -> reload(trigger), DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Reloads now (for the admin API); completes with the outcome. */
    public CompletableFuture<Status> reloadNow(String trigger) {
        return CompletableFuture.supplyAsync(() -> reload(trigger), executor);
    }

    public @Nullable Status last() {
        return last;
    }

    private Status reload(String trigger) {
        Status status;
        try {
            byte[] bytes = Files.readAllBytes(file);
            Status previous = last;
            if (trigger.equals(FILE_CHANGE) && previous != null && Arrays.equals(bytes, applied)) {
                return previous; // already in force: an editor's extra write, or the echo of an API reload
            }
            GatewayConfig next = ConfigLoader.load(file);
            List<String> restart = restartOnly(server.config(), next);
            server.apply(next).get(30, TimeUnit.SECONDS);
            applied = bytes;
            status = new Status(Instant.now(), trigger, true, restart);
            log.info("reloaded {} ({}): {} routes, {} backends{}", file, trigger, next.routes().size(),
                    next.backends().size(), restart.isEmpty() ? "" : "; needs a restart to apply: " + restart);
        } catch (ConfigValidationException e) {
            List<String> problems = new ArrayList<>();
            for (ConfigProblem problem : e.problems()) {
                problems.add(problem.toString());
            }
            status = new Status(Instant.now(), trigger, false, problems);
            log.error("rejected the new config ({}), the running one stays:\n{}", trigger, e.getMessage());
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            status = new Status(Instant.now(), trigger, false, List.of(String.valueOf(cause.getMessage())));
            log.error("could not apply the new config ({}), the running one stays", trigger, cause);
        }
        last = status;
        return status;
    }

    /** Settings bound at start: reported, not applied. */
    static List<String> restartOnly(GatewayConfig running, GatewayConfig next) {
        List<String> changed = new ArrayList<>();
        if (!running.listen().equals(next.listen())) {
            changed.add("tandem.listen");
        }
        if (!running.admin().equals(next.admin())) {
            changed.add("tandem.admin");
        }
        if (!running.limits().equals(next.limits())) {
            changed.add("tandem.limits");
        }
        if (!running.accessLog().equals(next.accessLog())) {
            changed.add("tandem.access-log");
        }
        if (!running.metrics().equals(next.metrics())) {
            changed.add("tandem.metrics");
        }
        return changed;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the watcher", e);
            }
        }
    }
}
