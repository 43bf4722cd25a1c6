package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import dev.tandem.it.support.Readiness;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One Python app served by its deploy script on a fixed loopback port, so a stopped app comes back where
 * the gateway expects it. Ready when {@code /healthz} answers 200.
 */
abstract sealed class AppProcess implements AutoCloseable permits DjangoProcess, FastApiProcess {

    private final Backend backend;
    private final Deploy deploy;
    private final String script;
    private final int port;
    private final Map<String, String> env;
    private final Path log;
    private ManagedProcess process;

    AppProcess(Backend backend, Deploy deploy, String script, int port, Map<String, String> env, Path log) {
        this.backend = backend;
        this.deploy = deploy;
        this.script = script;
        this.port = port;
        this.env = Map.copyOf(env);
        this.log = log;
    }

    Backend backend() {
        return backend;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        ManagedProcess.Spec spec = ManagedProcess.of(backend.id(),
                        deploy.script(script).toString(), "127.0.0.1", Integer.toString(port))
                .env(env)
                .workDir(deploy.dir().getParent())
                .log(log);
        if (!env.containsKey("DATABASE_URL")) {
            spec.unsetEnv("DATABASE_URL");
        }
        process = spec.start();
        Readiness.awaitHttpOk(process, url().resolve("/healthz"), Duration.ofSeconds(90));
    }

    /** Stops the server and every worker it forked; proven gone before this returns. */
    synchronized void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(10));
            process = null;
        }
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }
}
