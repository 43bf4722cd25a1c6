package dev.tandem.it.support;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Remembers every process the suite started, and every descendant seen when one was stopped, so the end of
 * the run can prove none is left behind. A JVM shutdown hook kills whatever is still alive when the test JVM
 * exits without tearing the stack down (a forked-JVM timeout, an interrupted build).
 */
public final class ProcessTracker {

    private record Seen(String name, Path log, long pid, Optional<Instant> started) {

        static Seen of(String name, Path log, ProcessHandle handle) {
            return new Seen(name, log, handle.pid(), handle.info().startInstant());
        }

        /** Alive and the same process: a reused pid has another start instant. */
        Optional<ProcessHandle> stillAlive() {
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> started.isEmpty() || h.info().startInstant().equals(started));
        }
    }

    private static final ConcurrentLinkedQueue<Seen> SEEN = new ConcurrentLinkedQueue<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessTracker::killSurvivors, "tandem-it-reaper"));
    }

    private ProcessTracker() {
    }

    static void track(String name, Path log, ProcessHandle handle) {
        SEEN.add(Seen.of(name, log, handle));
        handle.descendants().forEach(d -> SEEN.add(Seen.of(name + " (child)", log, d)));
    }

    /** Descriptions of tracked processes that are still alive, with their live descendants. */
    public static List<String> survivors() {
        return survivors(null);
    }

    /** Like {@link #survivors()}, for the processes whose log is under {@code logDir} (one stack's). */
    public static List<String> survivors(Path logDir) {
        List<String> alive = new ArrayList<>();
        for (Seen seen : SEEN) {
            if (logDir != null && !seen.log().startsWith(logDir)) {
                continue;
            }
            seen.stillAlive().ifPresent(h -> {
                alive.add(seen.name() + " pid " + h.pid() + ": " + h.info().commandLine().orElse("?"));
                h.descendants().forEach(d ->
                        alive.add(seen.name() + " child pid " + d.pid() + ": " + d.info().commandLine().orElse("?")));
            });
        }
        return alive;
    }

    private static void killSurvivors() {
        for (Seen seen : SEEN) {
            seen.stillAlive().ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
        }
    }
}
