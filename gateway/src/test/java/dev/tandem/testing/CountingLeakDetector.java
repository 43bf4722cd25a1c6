package dev.tandem.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netty's leak detector, counting what it reports. Installed for every test JVM with
 * {@code -Dio.netty.customResourceLeakDetector}; {@link LeakGateExtension} fails the build on any count.
 */
public final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final AtomicInteger LEAKS = new AtomicInteger();

    public CountingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    public CountingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    public static int leaks() {
        return LEAKS.get();
    }

    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.incrementAndGet();
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.incrementAndGet();
        super.reportUntracedLeak(resourceType);
    }
}
