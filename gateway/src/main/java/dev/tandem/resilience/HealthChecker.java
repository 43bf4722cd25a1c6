package dev.tandem.resilience;

import dev.tandem.config.BackendConfig;
import dev.tandem.config.ResilienceConfig.HealthCheckConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: a GET to each backend's health path at its interval, on a thread of its own (never an event
 * loop). A backend is marked down after {@code unhealthy-after} consecutive failures (no answer in time, or not
 * 2xx) and up again after {@code healthy-after} successes. A down backend's guard refuses exchanges, so routes with
 * a fallback use it, and readiness reports the backend.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final Guards guards;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tandem-health");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Made on first use (most gateways configure no health check, and the client costs start-up time); its own
     * threads, since the scheduler thread waits on it.
     */
    private volatile @Nullable HttpClient client;
    private final Map<String, Check> checks = new ConcurrentHashMap<>();

    public HealthChecker(Guards guards) {
        this.guards = guards;
    }

    /** Starts, restarts or stops checks so that they match the backends' current settings. */
    public synchronized void update(Map<String, BackendConfig> backends) {
        checks.entrySet().removeIf(entry -> {
            BackendConfig backend = backends.get(entry.getKey());
            boolean keep = backend != null && entry.getValue().backend.equals(backend);
            if (!keep) {
                entry.getValue().task.cancel(false);
            }
            return !keep;
        });
        for (BackendConfig backend : backends.values()) {
            HealthCheckConfig config = backend.resilience().healthCheck();
            if (config != null && !checks.containsKey(backend.name())) {
                Check check = new Check(backend, config);
                check.task = scheduler.scheduleWithFixedDelay(check::run, 0, config.interval().toMillis(),
                        TimeUnit.MILLISECONDS);
                checks.put(backend.name(), check);
            }
        }
    }

    private HttpClient client() {
        HttpClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                }
                current = client;
            }
        }
        return current;
    }

    private final class Check {
        final BackendConfig backend;
        final HealthCheckConfig config;
        final URI uri;
        ScheduledFuture<?> task;
        int failures;
        int successes;

        Check(BackendConfig backend, HealthCheckConfig config) {
            this.backend = backend;
            this.config = config;
            this.uri = URI.create("http://" + backend.authority() + backend.basePath() + config.path());
        }

        void run() {
            boolean ok;
            try {
                HttpResponse<Void> response = client().send(HttpRequest.newBuilder(uri).timeout(config.timeout())
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                ok = response.statusCode() / 100 == 2;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                ok = false;
            }
            UpstreamGuard guard = guards.all().get(backend.name());
            if (guard == null) {
                return;
            }
            if (ok) {
                failures = 0;
                if (!guard.healthy() && ++successes >= config.healthyAfter()) {
                    guard.healthy(true);
                    log.info("backend {} is healthy again ({})", backend.name(), uri);
                }
            } else {
                successes = 0;
                if (guard.healthy() && ++failures >= config.unhealthyAfter()) {
                    guard.healthy(false);
                    log.warn("backend {} failed {} health checks in a row ({}): marked down",
                            backend.name(), failures, uri);
                }
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
