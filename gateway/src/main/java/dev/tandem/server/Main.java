package dev.tandem.server;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.ConfigReport;
import dev.tandem.config.ConfigValidationException;
import dev.tandem.config.GatewayConfig;
import io.netty.util.ResourceLeakDetector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code tandem --config FILE} runs the gateway, {@code tandem --check-config FILE} validates a
 * configuration and prints the resolved route table (exit 0) or every problem (exit 1), like {@code nginx -t}.
 */
public final class Main {
    static final int OK = 0;
    static final int INVALID_CONFIG = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Before any Netty class loads: with the jar's Add-Opens, Netty then manages direct memory itself.
        if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
            System.setProperty("io.netty.tryReflectionSetAccessible", "true");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Sampling leak detection records a stack trace for ~1% of buffers: a cost on every request path.
            // Tests (and anyone who asks with -Dio.netty.leakDetection.level) keep it; production runs without.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        int code = run(args, System.out, System.err);
        if (code != OK) {
            System.exit(code);
        }
    }

    /** Runs the command; returns the exit status. {@code --config} returns only after a shutdown signal. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 2 && args[0].equals("--check-config")) {
            return checkConfig(Path.of(args[1]), out, err);
        }
        if (args.length == 2 && args[0].equals("--config")) {
            GatewayConfig config;
            try {
                config = ConfigLoader.load(Path.of(args[1]));
            } catch (ConfigValidationException e) {
                err.println("tandem: invalid configuration " + args[1]);
                err.println(e.getMessage());
                return INVALID_CONFIG;
            }
            serve(config, Path.of(args[1]));
            return OK;
        }
        err.println("usage: tandem --config FILE        run the gateway");
        err.println("       tandem --check-config FILE  validate FILE and print the route table");
        return USAGE;
    }

    private static int checkConfig(Path file, PrintStream out, PrintStream err) {
        try {
            GatewayConfig config = ConfigLoader.load(file);
            out.println(ConfigReport.describe(config));
            out.println("tandem: configuration " + file + " is valid");
            return OK;
        } catch (ConfigValidationException e) {
            err.println(e.getMessage());
            err.println("tandem: configuration " + file + " is invalid");
            return INVALID_CONFIG;
        }
    }

    private static void serve(GatewayConfig config, Path file) throws InterruptedException {
        Logger log = LoggerFactory.getLogger(Main.class);
        GatewayServer server = GatewayServer.start(config);
        ConfigReloader reloader = new ConfigReloader(file, server);
        try {
            reloader.start();
            server.reloader(reloader);
        } catch (java.io.IOException e) {
            log.warn("cannot watch {} for changes ({}); SIGHUP and POST /api/reload still reload it", file,
                    e.getMessage());
            server.reloader(reloader);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM and SIGINT run shutdown hooks: drain there, on the hook's own thread.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drainAndStop(config.listen().drainTimeout());
            log.info("tandem stopped");
            stopped.countDown();
        }, "tandem-shutdown"));
        stopped.await();
    }
}
