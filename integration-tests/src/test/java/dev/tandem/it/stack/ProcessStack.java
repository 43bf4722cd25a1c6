package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import dev.tandem.it.support.Ports;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The stack as local processes on ephemeral loopback ports: a PostgreSQL server (or the apps' default
 * SQLite file), gunicorn + Django, uvicorn + FastAPI and one gateway JVM per tested event-loop count.
 * Every process logs to a file under {@code target/it/<stack>/}.
 */
final class ProcessStack extends StackBase {

    private PostgresServer postgres;
    private DjangoProcess django;
    private FastApiProcess fastapi;
    private final Map<Integer, GatewayProcess> gateways = new LinkedHashMap<>();
    private RuntimeException startFailure;
    private boolean started;
    private Teardown teardown;

    ProcessStack(Database database, Path repoRoot, Path logDir) {
        super(database, repoRoot, logDir);
    }

    @Override
    public String provider() {
        return "processes";
    }

    private synchronized PostgresServer postgres() {
        checkOpen();
        if (database != Database.POSTGRES) {
            throw new IllegalStateException("this stack runs on SQLite");
        }
        if (postgres == null) {
            postgres = PostgresServer.start(logDir);
        }
        return postgres;
    }

    @Override
    public synchronized String databaseUrl() {
        return database == Database.POSTGRES
                ? postgres().databaseUrl(PostgresServer.APP_DATABASE)
                : "(DATABASE_URL unset: the apps' default SQLite file)";
    }

    @Override
    public String createDatabase(String name) {
        return postgres().createDatabase(name);
    }

    @Override
    public ManagedProcess.Result runPythonSuites(String databaseUrl, String logName) {
        checkOpen();
        ManagedProcess.Spec spec = ManagedProcess.of("python-tests", deploy.script("test").toString())
                .env(deploy.env(databaseUrl))
                .workDir(deploy.dir().getParent())
                .log(logDir.resolve(logName));
        if (databaseUrl == null) {
            spec.unsetEnv("DATABASE_URL");
        }
        return spec.run(Duration.ofMinutes(10));
    }

    @Override
    public void warmUp(HybridStackTest.Needs needs) {
        switch (needs) {
            case NOTHING -> { }
            case DATABASE -> {
                if (database == Database.POSTGRES) {
                    postgres();
                }
                deploy.venv();
            }
            case EVERYTHING -> ensureStarted();
        }
    }

    @Override
    public List<String> leakReports() {
        synchronized (gateways) {
            return gateways.values().stream().flatMap(g -> g.leakReports().stream()).toList();
        }
    }

    /** Starts whatever is not running yet; a failed start is remembered and rethrown, not retried per class. */
    private synchronized void ensureStarted() {
        checkOpen();
        if (startFailure != null) {
            throw new IllegalStateException("the " + provider() + " stack failed to start earlier; see the first failure",
                    startFailure);
        }
        if (started) {
            return;
        }
        try {
            String url = database == Database.POSTGRES ? databaseUrl() : null;
            deploy.prepare(url, "prepare.log");
            Map<String, String> env = deploy.env(url);
            django = new DjangoProcess(deploy, Ports.free(), env, logDir.resolve("django.log"));
            fastapi = new FastApiProcess(deploy, Ports.free(), env, logDir.resolve("fastapi.log"));
            inParallel(List.of(django::start, fastapi::start));
            List<Runnable> gatewayStarts = new ArrayList<>();
            for (int loops : EVENT_LOOPS) {
                gatewayStarts.add(() -> {
                    GatewayProcess g = GatewayProcess.start(loops, django.url(), fastapi.url(), logDir);
                    synchronized (gateways) {
                        gateways.put(loops, g);
                    }
                });
            }
            inParallel(gatewayStarts);
            started = true;
        } catch (RuntimeException | AssertionError e) {
            startFailure = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
            throw e;
        }
    }

    private static void inParallel(List<Runnable> tasks) {
        CompletableFuture<?>[] futures = tasks.stream().map(CompletableFuture::runAsync).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(futures).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    @Override
    public Gateway gateway(int eventLoops) {
        ensureStarted();
        GatewayProcess gateway;
        synchronized (gateways) {
            gateway = gateways.get(eventLoops);
        }
        if (gateway == null) {
            throw new IllegalArgumentException("no gateway with " + eventLoops + " event loops; have " + gateways.keySet());
        }
        if (!gateway.isAlive()) {
            throw new IllegalStateException("gateway " + gateway.name() + " has exited:\n" + gateway.logTail());
        }
        return gateway;
    }

    @Override
    public List<Gateway> gateways() {
        ensureStarted();
        synchronized (gateways) {
            return List.copyOf(gateways.values());
        }
    }

    @Override
    public String clientAddress() {
        return "127.0.0.1";
    }

    @Override
    public String clientAddressSeenFrom(java.net.InetAddress localAddress) {
        return localAddress.getHostAddress();
    }

    /** The apps run with {@code TANDEM_TRUSTED_PROXIES=127.0.0.1}, the gateways' address. */
    @Override
    public boolean isTrustedProxy(java.net.InetAddress localAddress) {
        return localAddress.getHostAddress().equals("127.0.0.1");
    }

    private AppProcess app(Backend backend) {
        ensureStarted();
        return backend == Backend.DJANGO ? django : fastapi;
    }

    @Override
    public URI directUrl(Backend backend) {
        return app(backend).url();
    }

    @Override
    public void stop(Backend backend) {
        app(backend).stop();
    }

    @Override
    public void start(Backend backend) {
        app(backend).start();
    }

    private void checkOpen() {
        if (teardown != null) {
            throw new IllegalStateException("the stack has been shut down");
        }
    }

    @Override
    public synchronized Teardown shutdown() {
        if (teardown != null) {
            return teardown;
        }
        List<Throwable> errors = new ArrayList<>();
        List<GatewayProcess> running;
        synchronized (gateways) {
            running = List.copyOf(gateways.values());
        }
        for (GatewayProcess g : running) {
            attempt(errors, g::surfaceLeaks);
        }
        for (GatewayProcess g : running) {
            attempt(errors, g::close);
        }
        if (django != null) {
            attempt(errors, django::close);
        }
        if (fastapi != null) {
            attempt(errors, fastapi::close);
        }
        if (postgres != null) {
            attempt(errors, postgres::close);
        }
        List<String> leaks = new ArrayList<>();
        running.forEach(g -> leaks.addAll(g.leakReports()));
        teardown = Teardown.collect(errors, leaks, logDir);
        return teardown;
    }

    private static void attempt(List<Throwable> errors, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | AssertionError e) {
            errors.add(e);
        }
    }
}
