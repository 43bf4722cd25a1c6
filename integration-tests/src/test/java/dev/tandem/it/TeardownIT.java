package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.stack.Teardown;
import dev.tandem.it.support.ProcessTracker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs last (see junit-platform.properties): tears the shared stack down and proves it left nothing
 * behind. The gateways get a forced GC first, so a leaked buffer is reported ({@code LEAK:}) before they stop.
 */
@HybridStackTest(needs = HybridStackTest.Needs.NOTHING)
@Order(Integer.MAX_VALUE)
class TeardownIT {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theStackStopsWithoutLeaksOrOrphanProcesses(HybridStack stack) {
        Teardown teardown = stack.shutdown();
        assertThat(teardown.errors()).as("errors while stopping").isEmpty();
        assertThat(teardown.leaks()).as("gateway LEAK: reports").isEmpty();
        assertThat(teardown.survivors()).as("processes still alive").isEmpty();
        assertThat(ProcessTracker.survivors()).as("any process the suite started, still alive").isEmpty();
    }
}
