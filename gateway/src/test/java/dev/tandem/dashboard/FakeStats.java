package dev.tandem.dashboard;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Made-up admin stats in the shape of {@code GET /api/stats}, for what the gateway cannot show yet or not on demand:
 * routes split between both backends, a paired latency ratio, a failing backend. Each call is one second later and
 * the numbers wander a little, so charts have lines. Weights can be changed, as {@code PUT .../weights} would.
 */
final class FakeStats {
    /** FastAPI's p50 over Django's on the split route: the page shows it as 0.42×. */
    static final double SPLIT_RATIO = 0.42;

    private final Map<String, Map<String, Integer>> weights = new LinkedHashMap<>();
    private final Instant start = Instant.parse("2026-11-22T02:30:00Z");
    private int tick;

    FakeStats() {
        weights.put("products-read", ordered("django", 50, "fastapi", 50));
        weights.put("search", ordered("django", 90, "fastapi", 10));
        weights.put("orders-write", ordered("django", 100));
        weights.put("stock-feed", ordered("fastapi", 100));
        weights.put("admin", ordered("django", 100));
    }

    synchronized void weights(String route, Map<String, Integer> next) {
        weights.put(route, new LinkedHashMap<>(next));
    }

    synchronized Map<String, Integer> weights(String route) {
        return weights.get(route);
    }

    /** The next snapshot, one second after the previous one. */
    synchronized String next() {
        int t = tick++;
        double wave = Math.sin(t / 9.0);
        StringBuilder json = new StringBuilder(4096);
        json.append("{\"time\":\"").append(start.plusSeconds(t)).append("\",\"uptime_seconds\":")
                .append(num(3600.0 + t)).append(",\"metrics_enabled\":true,\"routes\":[");
        route(json, "products-read", "prefix /api/products  methods GET,HEAD",
                new Load(38 + 4 * wave, 0.0, 7.4 + wave, 19.0, 31.0),
                new Load(41 - 4 * wave, 0.0005, 7.4 * SPLIT_RATIO + 0.42 * wave, 6.8, 11.9), SPLIT_RATIO);
        // Mirrored: Django answers, FastAPI gets a copy of the same reads; 3 of them differed.
        json.setLength(json.length() - 1);
        json.append(",\"mirror\":{\"route\":\"products-read\",\"primary\":\"django\",\"shadow\":\"fastapi\","
                + "\"mirrored\":1204,\"matched\":1196,\"mismatched\":3,\"noise\":5,\"dropped\":0,\"errors\":0,"
                + "\"match_rate\":0.9934,\"latency_ratio_p50\":0.44,\"latency_ratio_p90\":0.61}}");
        json.append(',');
        route(json, "search", "prefix /api/search  methods GET",
                new Load(12.5 + wave, 0.0, 42 + 5 * wave, 88, 140),
                new Load(1.4, 0.0, 50.4 + 6 * wave, 97, 171), 1.2);
        json.append(',');
        route(json, "orders-write", "prefix /api/orders  methods POST",
                new Load(3.2 + 0.5 * wave, 0.031, 61, 180, 412), null, null);
        json.append(',');
        route(json, "stock-feed", "path /ws/stock", null, new Load(0.0, 0.0, null, null, null), null);
        json.append(',');
        route(json, "admin", "prefix /admin", new Load(0.35, 0.0, 12.2, 30.5, 44.0), null, null);
        json.append("]}");
        return json.toString();
    }

    private record Load(double rps, double errorRate, Double p50, Double p95, Double p99) {
        Load(double rps, double errorRate, double p50, double p95, double p99) {
            this(rps, errorRate, (Double) p50, (Double) p95, (Double) p99);
        }
    }

    private void route(StringBuilder json, String name, String match, Load django, Load fastapi, Double ratio) {
        Map<String, Integer> w = weights.get(name);
        json.append("{\"route\":\"").append(name).append("\",\"match\":\"").append(match).append("\",\"weights\":{");
        String sep = "";
        for (Map.Entry<String, Integer> e : w.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\":").append(e.getValue());
            sep = ",";
        }
        json.append("},\"backends\":{");
        sep = "";
        for (String backend : w.keySet()) {
            Load load = backend.equals("django") ? django : fastapi;
            json.append(sep).append('"').append(backend).append("\":");
            backend(json, load == null ? new Load(0, 0, null, null, null) : load);
            sep = ",";
        }
        json.append("},\"latency_ratio_p50\":").append(ratio == null ? "null" : num(ratio)).append('}');
    }

    private static void backend(StringBuilder json, Load load) {
        long perMinute = Math.round(load.rps() * 60);
        json.append("{\"in_flight\":").append(load.rps() > 10 ? 2 : 0)
                .append(",\"1m\":");
        window(json, perMinute, load);
        json.append(",\"10m\":");
        window(json, perMinute * 10, load);
        json.append('}');
    }

    private static void window(StringBuilder json, long requests, Load load) {
        json.append("{\"requests\":").append(requests)
                .append(",\"rps\":").append(num(load.rps()))
                .append(",\"error_rate\":").append(num(load.errorRate()))
                .append(",\"p50_ms\":").append(requests == 0 || load.p50() == null ? "null" : num(load.p50()))
                .append(",\"p95_ms\":").append(requests == 0 || load.p95() == null ? "null" : num(load.p95()))
                .append(",\"p99_ms\":").append(requests == 0 || load.p99() == null ? "null" : num(load.p99()))
                .append('}');
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static Map<String, Integer> ordered(Object... pairs) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return map;
    }
}
