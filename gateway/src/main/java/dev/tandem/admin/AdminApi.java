package dev.tandem.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tandem.config.BackendConfig;
import dev.tandem.config.ConfigReport;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.metrics.GatewayMetrics;
import dev.tandem.metrics.LatencyWindows;
import dev.tandem.metrics.PairMetrics;
import dev.tandem.resilience.UpstreamGuard;
import dev.tandem.server.ConfigReloader;
import dev.tandem.traffic.MirrorStats;
import dev.tandem.traffic.ResponseComparator;
import dev.tandem.server.GatewayServer;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** What the admin endpoints compute: JSON views of the gateway's state, and readiness probes. */
final class AdminApi {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int PROBE_TIMEOUT_MILLIS = 1000;

    private final GatewayServer gateway;
    private final EventLoop loop;
    private final long startNanos = System.nanoTime();

    AdminApi(GatewayServer gateway, EventLoop loop) {
        this.gateway = gateway;
        this.loop = loop;
    }

    GatewayServer gateway() {
        return gateway;
    }

    String scrape() {
        return gateway.registry().scrape();
    }

    /** {@code {"routes":[{"route","match","weights"}]}}: the table the proxy uses now. */
    String routesJson() {
        return json(out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("routes");
            for (RouteConfig route : gateway.proxy().snapshot().config().routes()) {
                out.writeStartObject();
                writeRouteHead(out, route);
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /** Per route and backend: in-flight, and rate, error rate and latency percentiles over 1 and 10 minutes. */
    String statsJson() {
        GatewayConfig config = gateway.proxy().snapshot().config();
        GatewayMetrics metrics = gateway.proxy().metrics();
        long now = System.nanoTime();
        return json(out -> {
            out.writeStartObject();
            out.writeStringField("time", Instant.now().toString());
            out.writeNumberField("uptime_seconds", round((now - startNanos) / 1e9, 1));
            out.writeBooleanField("metrics_enabled", metrics != null);
            out.writeArrayFieldStart("routes");
            for (RouteConfig route : config.routes()) {
                out.writeStartObject();
                writeRouteHead(out, route);
                out.writeObjectFieldStart("backends");
                Map<String, LatencyWindows.Summary> minute = new LinkedHashMap<>();
                for (String backend : backendsOf(route)) {
                    PairMetrics pair = metrics == null ? null : metrics.pair(route.name(), backend);
                    out.writeObjectFieldStart(backend);
                    out.writeNumberField("in_flight", pair == null ? 0 : pair.inFlight());
                    LatencyWindows.Summary lastMinute = pair == null ? null : pair.windows().lastMinute(now);
                    minute.put(backend, lastMinute);
                    writeWindow(out, "1m", lastMinute);
                    writeWindow(out, "10m", pair == null ? null : pair.windows().lastTenMinutes(now));
                    out.writeEndObject();
                }
                out.writeEndObject();
                writeNumberOrNull(out, "latency_ratio_p50", ratio(minute.get("fastapi"), minute.get("django")));
                MirrorStats mirror = gateway.proxy().mirrors().stats().get(route.name());
                if (mirror != null) {
                    out.writeFieldName("mirror");
                    writeMirror(out, mirror, false);
                }
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /**
     * Per backend, every protection's state: health, circuit breaker, bulkhead, retry budget and pools, so an
     * operator can see why requests are turned away.
     */
    String backendsJson() {
        Map<String, int[]> pools = new LinkedHashMap<>();
        gateway.proxy().pools().forEach((loop, pool) -> {
            int[] sum = pools.computeIfAbsent(pool.backend().name(), b -> new int[4]);
            sum[0] += pool.open();
            sum[1] += pool.active();
            sum[2] += pool.idle();
            sum[3] += pool.pending();
        });
        return json(out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("backends");
            for (BackendConfig backend : gateway.proxy().snapshot().config().backends().values()) {
                UpstreamGuard guard = gateway.proxy().guards().all().get(backend.name());
                out.writeStartObject();
                out.writeStringField("backend", backend.name());
                out.writeStringField("url", backend.url().toString());
                if (guard != null) {
                    out.writeBooleanField("healthy", guard.healthy());
                    out.writeBooleanField("health_checked", backend.resilience().healthCheck() != null);
                    CircuitBreaker breaker = guard.circuitBreaker();
                    if (breaker == null) {
                        out.writeNullField("circuit_breaker");
                    } else {
                        CircuitBreaker.Metrics metrics = breaker.getMetrics();
                        out.writeObjectFieldStart("circuit_breaker");
                        out.writeStringField("state", breaker.getState().name().toLowerCase(java.util.Locale.ROOT));
                        writeNumberOrNull(out, "failure_rate_percent", rate(metrics.getFailureRate()));
                        writeNumberOrNull(out, "slow_call_rate_percent", rate(metrics.getSlowCallRate()));
                        out.writeNumberField("buffered_calls", metrics.getNumberOfBufferedCalls());
                        out.writeNumberField("not_permitted_calls", metrics.getNumberOfNotPermittedCalls());
                        out.writeEndObject();
                    }
                    Bulkhead bulkhead = guard.bulkhead();
                    if (bulkhead == null) {
                        out.writeNullField("bulkhead");
                    } else {
                        out.writeObjectFieldStart("bulkhead");
                        out.writeNumberField("max_concurrent", bulkhead.getMetrics().getMaxAllowedConcurrentCalls());
                        out.writeNumberField("available", bulkhead.getMetrics().getAvailableConcurrentCalls());
                        out.writeEndObject();
                    }
                    out.writeNumberField("retry_budget_available", guard.retryBudget().available());
                }
                int[] pool = pools.getOrDefault(backend.name(), new int[4]);
                out.writeObjectFieldStart("connections");
                out.writeNumberField("open", pool[0]);
                out.writeNumberField("active", pool[1]);
                out.writeNumberField("idle", pool[2]);
                out.writeNumberField("pending", pool[3]);
                out.writeEndObject();
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /** Resilience4j reports -1 until enough calls were seen. */
    private static Double rate(float percent) {
        return percent < 0 ? null : round(percent, 1);
    }

    /** Mirroring results per route, with recent mismatch samples and the latency ratio distribution. */
    String mirrorsJson() {
        return json(out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("routes");
            for (MirrorStats stats : gateway.proxy().mirrors().stats().values()) {
                writeMirror(out, stats, true);
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    private static void writeMirror(JsonGenerator out, MirrorStats stats, boolean details) throws IOException {
        out.writeStartObject();
        out.writeStringField("route", stats.route);
        out.writeStringField("primary", stats.primary);
        out.writeStringField("shadow", stats.shadow);
        out.writeStringField("since", stats.since.toString());
        out.writeNumberField("mirrored", stats.mirrored());
        out.writeNumberField("matched", stats.matched());
        out.writeNumberField("mismatched", stats.mismatched());
        out.writeNumberField("noise", stats.noise());
        out.writeNumberField("dropped", stats.dropped());
        out.writeNumberField("errors", stats.errors());
        writeNumberOrNull(out, "match_rate", nanToNull(stats.matchRate(), 4));
        // shadow latency / primary latency on the same requests
        writeNumberOrNull(out, "latency_ratio_p50", nanToNull(stats.ratioQuantile(0.5), 3));
        writeNumberOrNull(out, "latency_ratio_p90", nanToNull(stats.ratioQuantile(0.9), 3));
        if (details) {
            out.writeArrayFieldStart("latency_ratio_histogram");
            for (double[] bucket : stats.ratioHistogram()) {
                if (bucket[1] > 0) {
                    out.writeStartArray();
                    out.writeNumber(round(bucket[0], 3));
                    out.writeNumber((long) bucket[1]);
                    out.writeEndArray();
                }
            }
            out.writeEndArray();
            out.writeArrayFieldStart("noisy_fields");
            for (String field : new java.util.TreeSet<>(stats.noisyFields())) {
                out.writeString(field);
            }
            out.writeEndArray();
            out.writeArrayFieldStart("mismatch_samples");
            for (MirrorStats.Sample sample : stats.samples()) {
                out.writeStartObject();
                out.writeStringField("time", sample.time().toString());
                out.writeStringField("request", sample.method() + " " + sample.uri());
                out.writeArrayFieldStart("differences");
                for (ResponseComparator.Difference difference : sample.differences()) {
                    out.writeString(difference.toString());
                }
                out.writeEndArray();
                // The same differences as parts, for a side-by-side view: no parsing of "a != b" in the page.
                out.writeArrayFieldStart("diff");
                for (ResponseComparator.Difference difference : sample.differences()) {
                    out.writeStartObject();
                    out.writeStringField("path", difference.path());
                    out.writeStringField("primary", difference.primary());
                    out.writeStringField("shadow", difference.shadow());
                    out.writeEndObject();
                }
                out.writeEndArray();
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }

    private static Double nanToNull(double value, int digits) {
        return Double.isNaN(value) ? null : round(value, digits);
    }

    /** The effective config (secrets redacted) and the outcome of the last reload. */
    String configJson() {
        ConfigReloader reloader = gateway.reloader();
        ConfigReloader.Status last = reloader == null ? null : reloader.last();
        String effective = ConfigReport.describe(gateway.proxy().snapshot().config());
        return json(out -> {
            out.writeStartObject();
            out.writeStringField("effective", effective);
            if (last == null) {
                out.writeNullField("last_reload");
            } else {
                out.writeFieldName("last_reload");
                out.writeRawValue(statusJson(last));
            }
            out.writeEndObject();
        });
    }

    static String statusJson(ConfigReloader.Status status) {
        return json(out -> {
            out.writeStartObject();
            out.writeStringField("time", status.time().toString());
            out.writeStringField("trigger", status.trigger());
            out.writeBooleanField("accepted", status.accepted());
            out.writeArrayFieldStart(status.accepted() ? "needs_restart" : "problems");
            for (String problem : status.problems()) {
                out.writeString(problem);
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    /** The backends a route involves: its weights' keys, then its fallback and mirror. */
    static List<String> backendsOf(RouteConfig route) {
        List<String> backends = new ArrayList<>(route.weights().keySet());
        if (route.fallback() != null && !backends.contains(route.fallback())) {
            backends.add(route.fallback());
        }
        if (route.mirror() != null && !backends.contains(route.mirror().to())) {
            backends.add(route.mirror().to());
        }
        return backends;
    }

    private static Double ratio(LatencyWindows.Summary numerator, LatencyWindows.Summary denominator) {
        if (numerator == null || denominator == null || numerator.requests() == 0 || denominator.requests() == 0) {
            return null;
        }
        return round(numerator.p50Millis() / denominator.p50Millis(), 3);
    }

    private static void writeRouteHead(JsonGenerator out, RouteConfig route) throws IOException {
        out.writeStringField("route", route.name());
        out.writeStringField("match", ConfigReport.match(route.match()));
        out.writeObjectFieldStart("weights");
        for (Map.Entry<String, Integer> weight : route.weights().entrySet()) {
            out.writeNumberField(weight.getKey(), weight.getValue());
        }
        out.writeEndObject();
    }

    private static void writeWindow(JsonGenerator out, String name, LatencyWindows.Summary summary)
            throws IOException {
        out.writeObjectFieldStart(name);
        if (summary == null) {
            out.writeNumberField("requests", 0);
            out.writeNumberField("rps", 0.0);
            out.writeNumberField("error_rate", 0.0);
            out.writeNullField("p50_ms");
            out.writeNullField("p95_ms");
            out.writeNullField("p99_ms");
        } else {
            out.writeNumberField("requests", summary.requests());
            out.writeNumberField("rps", round(summary.rps(), 2));
            out.writeNumberField("error_rate", round(summary.errorRate(), 4));
            writeNumberOrNull(out, "p50_ms", millis(summary.p50Millis()));
            writeNumberOrNull(out, "p95_ms", millis(summary.p95Millis()));
            writeNumberOrNull(out, "p99_ms", millis(summary.p99Millis()));
        }
        out.writeEndObject();
    }

    private static Double millis(double value) {
        return Double.isNaN(value) ? null : round(value, 3);
    }

    private static void writeNumberOrNull(JsonGenerator out, String field, Double value) throws IOException {
        if (value == null) {
            out.writeNullField(field);
        } else {
            out.writeNumberField(field, value);
        }
    }

    /**
     * Probes every backend with a TCP connect, off the proxy loops. Completes with the names of the backends that
     * did not accept a connection within a second; empty means ready.
     */
    Future<List<String>> probeBackends() {
        Promise<List<String>> done = loop.newPromise();
        Map<String, BackendConfig> backends = gateway.proxy().snapshot().config().backends();
        List<String> down = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(backends.size());
        if (backends.isEmpty()) {
            return loop.newSucceededFuture(down);
        }
        for (BackendConfig backend : backends.values()) {
            ChannelFuture connect = new Bootstrap()
                    .group(loop)
                    .channel(gateway.transport().socketChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, PROBE_TIMEOUT_MILLIS)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                        }
                    })
                    .connect(gateway.proxy().pools().address(backend));
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    connect.channel().close();
                } else {
                    synchronized (down) {
                        down.add(backend.name());
                    }
                }
                if (left.decrementAndGet() == 0) {
                    done.trySuccess(down);
                }
            });
        }
        return done;
    }

    @FunctionalInterface
    interface JsonWriter {
        void write(JsonGenerator out) throws IOException;
    }

    static String json(JsonWriter writer) {
        StringWriter text = new StringWriter(512);
        try (JsonGenerator out = JSON.createGenerator(text)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
