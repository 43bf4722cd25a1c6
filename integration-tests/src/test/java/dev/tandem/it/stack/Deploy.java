package dev.tandem.it.stack;

import dev.tandem.it.support.ManagedProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code deploy/} scripts, the contract with the Python apps: {@code bin/venv} prints the virtualenv's
 * path as its last line (created once, cached between runs), {@code bin/prepare} migrates and seeds,
 * {@code bin/serve-django} and {@code bin/serve-fastapi} exec their server in the foreground, {@code bin/test}
 * runs every Python suite against {@code $DATABASE_URL}.
 */
final class Deploy {

    static final String ADMIN_PASSWORD = "tandem-demo";
    static final int SEED_PRODUCTS = 40;

    private final Path deployDir;
    private final Path logDir;
    private Path venv;

    Deploy(Path repoRoot, Path logDir) {
        this.deployDir = repoRoot.resolve("deploy");
        this.logDir = logDir;
    }

    Path dir() {
        return deployDir;
    }

    Path script(String name) {
        Path script = deployDir.resolve("bin").resolve(name);
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("Missing prerequisite: " + script + " (an executable script of the "
                    + "deploy/ apps) does not exist or is not executable");
        }
        return script;
    }

    /** Creates (first run) or finds (later runs) the one virtualenv; slow only the first time. */
    synchronized Path venv() {
        if (venv == null) {
            ManagedProcess.Result result = ManagedProcess.of("venv", script("venv").toString())
                    .env(passThrough())
                    .workDir(deployDir.getParent())
                    .log(logDir.resolve("venv.log"))
                    .run(Duration.ofMinutes(15))
                    .requireSuccess();
            List<String> lines = result.output().lines().filter(l -> !l.isBlank()).toList();
            Path path = Path.of(lines.get(lines.size() - 1).trim());
            if (!Files.isExecutable(path.resolve("bin/python"))) {
                throw new IllegalStateException("deploy/bin/venv printed " + path + " as its last line, "
                        + "which is not a virtualenv (no bin/python); log " + result.log());
            }
            venv = path;
        }
        return venv;
    }

    /** The environment every deploy script gets: the venv first on PATH, unbuffered output. */
    Map<String, String> env(String databaseUrl) {
        Map<String, String> env = new HashMap<>(passThrough());
        Path venv = venv();
        env.put("TANDEM_VENV", venv.toString());
        env.put("VIRTUAL_ENV", venv.toString());
        env.put("PATH", venv.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("PYTHONUNBUFFERED", "1");
        env.put("TANDEM_TRUSTED_PROXIES", "127.0.0.1");
        env.put("TANDEM_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("SEED_PRODUCTS", Integer.toString(SEED_PRODUCTS));
        env.put("WEB_CONCURRENCY", "2");
        if (databaseUrl != null) {
            env.put("DATABASE_URL", databaseUrl);
        }
        return env;
    }

    /** Migrate, collectstatic, superuser, seed. */
    void prepare(String databaseUrl, String logName) {
        ManagedProcess.Spec spec = ManagedProcess.of("prepare", script("prepare").toString())
                .env(env(databaseUrl))
                .workDir(deployDir.getParent())
                .log(logDir.resolve(logName));
        if (databaseUrl == null) {
            spec.unsetEnv("DATABASE_URL");
        }
        spec.run(Duration.ofMinutes(5)).requireSuccess();
    }

    private static Map<String, String> passThrough() {
        Map<String, String> env = new HashMap<>();
        String cached = System.getenv("TANDEM_VENV");
        if (cached != null) {
            env.put("TANDEM_VENV", cached);
        }
        return env;
    }
}
