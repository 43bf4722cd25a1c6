package dev.tandem.dashboard;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Made-up admin stats in the shape of {@code GET /api/stats}, for what the gateway cannot show yet or not on demand:
 * routes split between both backends, a paired latency ratio, a failing backend. Each call is one second later and
 * the numbers wander a little, so charts have lines. Weights can be changed, as {@code PUT .../weights} would. The
 * mirrored route's details are in the shape of {@code GET /api/mirrors} ({@link #mirrors()}).
 */
final class FakeStats {
    /** FastAPI's p50 over Django's on the split route: the page shows it as 0.42×. */
    static final double SPLIT_RATIO = 0.42;
    /**
     * The mirrored route's paired latencies as {octaves of FastAPI / Django, count}: quarter-octave buckets as the
     * gateway keeps them. FastAPI / Django p50 is 2^-1.25 (0.42×), p90 2^-0.5 (0.71×); 1,204 pairs.
     */
    static final double[][] FASTAPI_OVER_DJANGO = {
        {-2, 12}, {-1.75, 60}, {-1.5, 250}, {-1.25, 420}, {-1, 210}, {-0.75, 120}, {-0.5, 80}, {-0.25, 30},
        {0, 12}, {0.25, 6}, {0.75, 4},
    };
    /** A difference with markup in it, which the page must show as text. */
    static final String MARKUP = "\"<img src=x onerror=alert(1)> & <b>bold</b>\"";

    private final Map<String, Map<String, Integer>> weights = new LinkedHashMap<>();
    private final Instant start = Instant.parse("2026-11-22T02:30:00Z");
    private int tick;
    private String mirrorPrimary = "django";
    private String mirrorShadow = "fastapi";

    /**
     * The split route mirrors the other way: FastAPI answers, Django gets the copies. The gateway then measures
     * Django / FastAPI, so the same latencies come out inverted (p50 2^1.25, 2.38×) and the page must turn them back.
     */
    synchronized FakeStats mirrorFromFastApi() {
        mirrorPrimary = "fastapi";
        mirrorShadow = "django";
        return this;
    }

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
        json.append(",\"mirror\":");
        mirror(json, false);
        json.append('}');
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

    /** {@code GET /api/mirrors}: the split route's mirroring, with its histogram, noisy fields and samples. */
    synchronized String mirrors() {
        StringBuilder json = new StringBuilder(4096);
        json.append("{\"routes\":[");
        mirror(json, true);
        json.append("]}");
        return json.toString();
    }

    private void mirror(StringBuilder json, boolean details) {
        boolean inverted = mirrorPrimary.equals("fastapi");
        // What the gateway measures: shadow / primary.
        double[][] measured = new double[FASTAPI_OVER_DJANGO.length][];
        for (int i = 0; i < measured.length; i++) {
            double octaves = FASTAPI_OVER_DJANGO[i][0];
            measured[i] = new double[] {Math.pow(2, inverted ? -octaves : octaves), FASTAPI_OVER_DJANGO[i][1]};
        }
        java.util.Arrays.sort(measured, java.util.Comparator.comparingDouble(b -> b[0]));
        json.append("{\"route\":\"products-read\",\"primary\":\"").append(mirrorPrimary)
                .append("\",\"shadow\":\"").append(mirrorShadow).append("\",\"since\":\"")
                .append(start.minusSeconds(1800)).append("\",")
                .append("\"mirrored\":1204,\"matched\":1196,\"mismatched\":3,\"noise\":5,\"dropped\":0,\"errors\":0,")
                .append("\"match_rate\":0.9975,\"latency_ratio_p50\":").append(num(quantile(measured, 0.5)))
                .append(",\"latency_ratio_p90\":").append(num(quantile(measured, 0.9)));
        if (details) {
            json.append(",\"latency_ratio_histogram\":[");
            String sep = "";
            for (double[] bucket : measured) {
                json.append(sep).append('[').append(num(bucket[0])).append(',').append((long) bucket[1]).append(']');
                sep = ",";
            }
            json.append("],\"noisy_fields\":[\"$.generated_at\",\"$.request_id\"],\"mismatch_samples\":[");
            sample(json, start.minusSeconds(5), "GET /api/products/?page=2",
                    new String[] {"$.results.1.name", "\"Cup\"", "\"Bowl\""}, new String[] {"$.count", "48", "47"});
            json.append(',');
            sample(json, start.minusSeconds(40), "GET /api/products/17",
                    new String[] {"header content-type", "application/json", "application/json; charset=utf-8"});
            json.append(',');
            sample(json, start.minusSeconds(95), "GET /api/products/search?q=<script>alert(2)</script>",
                    new String[] {"$.description", MARKUP, "\"bold\""});
            json.append(']');
        }
        json.append('}');
    }

    private void sample(StringBuilder json, Instant time, String request, String[]... differences) {
        json.append("{\"time\":\"").append(time).append("\",\"request\":").append(quoted(request))
                .append(",\"differences\":[");
        String sep = "";
        for (String[] d : differences) {
            String[] sides = mirrorPrimary.equals("django") ? d : new String[] {d[0], d[2], d[1]};
            json.append(sep).append(quoted(sides[0] + ": " + sides[1] + " != " + sides[2]));
            sep = ",";
        }
        json.append("],\"diff\":[");
        sep = "";
        for (String[] d : differences) {
            String[] sides = mirrorPrimary.equals("django") ? d : new String[] {d[0], d[2], d[1]};
            json.append(sep).append("{\"path\":").append(quoted(sides[0])).append(",\"primary\":")
                    .append(quoted(sides[1])).append(",\"shadow\":").append(quoted(sides[2])).append('}');
            sep = ",";
        }
        json.append("]}");
    }

    /** The gateway's rule: the first bucket whose running count reaches ceil(q × total). */
    private static double quantile(double[][] buckets, double q) {
        long total = 0;
        for (double[] b : buckets) {
            total += (long) b[1];
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (double[] b : buckets) {
            seen += (long) b[1];
            if (seen >= rank) {
                return b[0];
            }
        }
        return buckets[buckets.length - 1][0];
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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
