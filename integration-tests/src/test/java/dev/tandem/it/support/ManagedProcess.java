package dev.tandem.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One local process of the stack: started with its output appended to log files under {@code target/},
 * stopped with its whole process tree, and proven gone.
 */
public final class ManagedProcess {

    private final String name;
    private final Process process;
    private final Path stdoutLog;
    private final Path stderrLog;

    private ManagedProcess(String name, Process process, Path stdoutLog, Path stderrLog) {
        this.name = name;
        this.process = process;
        this.stdoutLog = stdoutLog;
        this.stderrLog = stderrLog;
    }

    /** How to start one process. */
    public static final class Spec {
        private final String name;
        private final List<String> command;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> unsetEnv = new ArrayList<>();
        private Path workDir;
        private Path stdoutLog;
        private Path stderrLog;

        private Spec(String name, List<String> command) {
            this.name = name;
            this.command = List.copyOf(command);
        }

        public Spec env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Spec env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Spec unsetEnv(String key) {
            unsetEnv.add(key);
            return this;
        }

        public Spec workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Both streams into one file. */
        public Spec log(Path file) {
            this.stdoutLog = file;
            this.stderrLog = null;
            return this;
        }

        /** Separate files, e.g. the gateway's access log (stdout) and its other logs (stderr). */
        public Spec logs(Path stdout, Path stderr) {
            this.stdoutLog = stdout;
            this.stderrLog = stderr;
            return this;
        }

        public ManagedProcess start() {
            if (stdoutLog == null) {
                throw new IllegalStateException(name + ": no log file");
            }
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutLog.toFile()));
            if (stderrLog == null) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
            }
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            unsetEnv.forEach(builder.environment()::remove);
            builder.environment().putAll(env);
            try {
                Files.createDirectories(stdoutLog.getParent());
                Files.writeString(stdoutLog, "# " + String.join(" ", command) + System.lineSeparator(),
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Process process = builder.start();
                ProcessTracker.track(name, stdoutLog, process.toHandle());
                return new ManagedProcess(name, process, stdoutLog, stderrLog);
            } catch (IOException e) {
                throw new UncheckedIOException(name + ": cannot start " + command, e);
            }
        }

        /** Runs to completion (a one-shot command); the result carries the exit code and the log. */
        public Result run(Duration timeout) {
            ManagedProcess p = start();
            try {
                if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.stop(Duration.ofSeconds(5));
                    throw new AssertionError(name + " did not finish within " + timeout + "; log "
                            + stdoutLog + ":\n" + p.logTail(60));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.stop(Duration.ofSeconds(5));
                throw new IllegalStateException(name + " interrupted", e);
            }
            p.stop(Duration.ofSeconds(5));
            return new Result(name, p.process.exitValue(), stdoutLog);
        }
    }

    /** The outcome of a one-shot command. */
    public record Result(String name, int exitCode, Path log) {

        public String output() {
            return read(log);
        }

        public String tail(int lines) {
            return ManagedProcess.tail(read(log), lines);
        }

        /** Fails with the command's output when it did not exit 0. */
        public Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(name + " exited with " + exitCode + "; log " + log + ":\n" + tail(80));
            }
            return this;
        }
    }

    public static Spec of(String name, List<String> command) {
        return new Spec(name, command);
    }

    public static Spec of(String name, String... command) {
        return new Spec(name, List.of(command));
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path stdoutLog() {
        return stdoutLog;
    }

    public Path stderrLog() {
        return stderrLog == null ? stdoutLog : stderrLog;
    }

    /** The last lines of its logs, for failure messages. */
    public String logTail(int lines) {
        String out = tail(read(stdoutLog), lines);
        if (stderrLog == null) {
            return out;
        }
        return "--- " + stderrLog.getFileName() + "\n" + tail(read(stderrLog), lines)
                + "\n--- " + stdoutLog.getFileName() + "\n" + out;
    }

    /** Why it cannot serve: used by readiness checks to fail fast instead of waiting out their timeout. */
    public String exitDescription() {
        return name + " exited with code " + process.exitValue() + " before it was ready; log " + stdoutLog
                + (stderrLog == null ? "" : " and " + stderrLog) + ":\n" + logTail(60);
    }

    /** SIGTERM, then SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        stop("TERM", grace);
    }

    /**
     * Signals the process, waits up to {@code grace} for it and its descendants to exit, kills whatever is
     * left, and proves the tree is gone. The descendants are collected before the signal: once the root dies
     * they are re-parented and can no longer be found through it.
     */
    public void stop(String signal, Duration grace) {
        List<ProcessHandle> tree = tree();
        tree.forEach(h -> ProcessTracker.track(name, stdoutLog, h));
        if (process.isAlive()) {
            signal(signal);
        }
        List<ProcessHandle> left = awaitExit(tree, grace);
        if (!left.isEmpty()) {
            List<ProcessHandle> again = Stream.concat(left.stream(), left.stream().flatMap(ProcessHandle::descendants))
                    .distinct().toList();
            again.forEach(ProcessHandle::destroyForcibly);
            left = awaitExit(again, Duration.ofSeconds(10));
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException(name + ": processes survived SIGKILL: "
                    + left.stream().map(h -> String.valueOf(h.pid())).collect(Collectors.joining(", ")));
        }
    }

    private List<ProcessHandle> tree() {
        ProcessHandle root = process.toHandle();
        return Stream.concat(Stream.of(root), root.descendants()).toList();
    }

    private void signal(String signal) {
        if ("TERM".equals(signal)) {
            process.destroy();
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<ProcessHandle> awaitExit(List<ProcessHandle> handles, Duration timeout) {
        CompletableFuture<?>[] exits = handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // reported below, by what is still alive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return handles.stream().filter(ProcessHandle::isAlive).toList();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
