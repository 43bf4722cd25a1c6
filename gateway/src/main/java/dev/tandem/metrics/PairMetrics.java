package dev.tandem.metrics;

import dev.tandem.proxy.Outcome;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one route on one backend. Resolved once per exchange; recording then costs an array index and a few
 * atomic adds, with no tag building and no registry lookup. Timers for each (method, status class, outcome) are made
 * on first use; every tag value comes from a closed set, so the count is bounded by construction.
 *
 * <p>Only {@link GatewayMetrics#REQUESTS} is a full Timer (histogram and max), since dashboards and alerts take
 * percentiles from it. Body bytes and time to first byte are plain sums the registry reads at scrape time: a full
 * meter costs a clock read and a max window per record, on every request (measured in bench/results/IMPROVEMENTS.md).
 */
public final class PairMetrics {
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
    static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final Outcome[] OUTCOMES = Outcome.values();

    private final MeterRegistry registry;
    private final String route;
    private final String backend;
    private final Tags tags;
    private final AtomicReferenceArray<Timer> timers =
            new AtomicReferenceArray<>(METHODS.length * STATUS_CLASSES.length * OUTCOMES.length);
    private final LongAdder requestBytes = new LongAdder();
    private final LongAdder responseBytes = new LongAdder();
    private final LongAdder firstBytes = new LongAdder();
    private final LongAdder firstByteNanos = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LatencyWindows windows = new LatencyWindows();

    PairMetrics(MeterRegistry registry, String route, String backend) {
        this.registry = registry;
        this.route = route;
        this.backend = backend;
        this.tags = Tags.of("route", route, "backend", backend);
        FunctionCounter.builder(GatewayMetrics.REQUEST_BYTES, requestBytes, LongAdder::sum).baseUnit("bytes")
                .tags(tags).description("Request body bytes read from clients").register(registry);
        FunctionCounter.builder(GatewayMetrics.RESPONSE_BYTES, responseBytes, LongAdder::sum).baseUnit("bytes")
                .tags(tags).description("Response body bytes written to clients").register(registry);
        FunctionTimer.builder(GatewayMetrics.UPSTREAM_TTFB, this, p -> p.firstBytes.sum(),
                        p -> p.firstByteNanos.sum(), TimeUnit.NANOSECONDS).tags(tags)
                .description("From the request head sent upstream to the response head received")
                .register(registry);
        Gauge.builder(GatewayMetrics.ACTIVE, inFlight, AtomicInteger::get).tags(tags)
                .description("Exchanges in flight").register(registry);
    }

    public String route() {
        return route;
    }

    public String backend() {
        return backend;
    }

    /** An exchange was routed here. */
    public void started() {
        inFlight.incrementAndGet();
    }

    /** An exchange routed here went elsewhere before it completed (fallback): it counts there instead. */
    public void abandoned() {
        inFlight.decrementAndGet();
    }

    /** The backend's response head arrived, {@code nanos} after the request head was sent. */
    public void firstByte(long nanos) {
        firstBytes.increment();
        firstByteNanos.add(nanos);
    }

    /** An exchange routed here ended; exactly once per {@link #started()}. */
    public void completed(String method, int status, Outcome outcome, long durationNanos, long bytesIn,
            long bytesOut, long endNanos) {
        inFlight.decrementAndGet();
        timer(methodIndex(method), statusClassIndex(status), outcome).record(durationNanos, TimeUnit.NANOSECONDS);
        requestBytes.add(bytesIn);
        responseBytes.add(bytesOut);
        windows.record(durationNanos, isError(status, outcome), endNanos);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public LatencyWindows windows() {
        return windows;
    }

    /** What the dashboard counts as an error: the backend's 5xx and every failure of the exchange itself. */
    static boolean isError(int status, Outcome outcome) {
        return status >= 500 || switch (outcome) {
            case REFUSED, TIMEOUT, OVERLOADED, ABORTED -> true;
            default -> false;
        };
    }

    private Timer timer(int method, int statusClass, Outcome outcome) {
        int index = (method * STATUS_CLASSES.length + statusClass) * OUTCOMES.length + outcome.ordinal();
        Timer timer = timers.get(index);
        if (timer == null) {
            timer = Timer.builder(GatewayMetrics.REQUESTS)
                    .description("Exchanges by route and backend, from request head to the end of the response")
                    .tags(tags)
                    .tag("method", METHODS[method])
                    .tag("status", STATUS_CLASSES[statusClass])
                    .tag("outcome", outcome.tag())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
            timers.set(index, timer); // a racing loop registers the same meter: the registry returns one instance
        }
        return timer;
    }

    static int methodIndex(String name) {
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (METHODS[i].equals(name)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }

    static int statusClassIndex(int status) {
        return status < 100 || status > 599 ? 0 : status / 100;
    }
}
