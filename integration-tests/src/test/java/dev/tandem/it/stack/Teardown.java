package dev.tandem.it.stack;

import dev.tandem.it.support.ProcessTracker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What tearing a stack down found: errors while stopping, {@code LEAK:} lines in the gateways' logs, and
 * processes that are still alive afterwards.
 */
public record Teardown(List<String> errors, List<String> leaks, List<String> survivors) {

    /** {@code logDir}: the stack's; its processes are the ones whose logs are there. */
    static Teardown collect(List<Throwable> errors, List<String> leaks, Path logDir) {
        List<String> messages = new ArrayList<>();
        errors.forEach(e -> messages.add(e.toString()));
        return new Teardown(List.copyOf(messages), List.copyOf(leaks), ProcessTracker.survivors(logDir));
    }

    public boolean clean() {
        return errors.isEmpty() && leaks.isEmpty() && survivors.isEmpty();
    }

    public void assertClean() {
        if (!clean()) {
            throw new AssertionError("The stack did not tear down cleanly:"
                    + "\n errors: " + errors + "\n gateway LEAK reports: " + leaks + "\n surviving processes: " + survivors);
        }
    }
}
