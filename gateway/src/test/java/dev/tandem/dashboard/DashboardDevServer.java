package dev.tandem.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in admin server for working on the dashboard by hand: serves the page and Chart.js from the classpath like
 * the real one, and {@link FakeStats} on {@code /api/stats}, {@code /api/stream} and {@code /api/mirrors}. Weight
 * changes need the token {@code dev}. Run it with
 * <pre>
 * mvn -pl gateway test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.tandem.dashboard.DashboardDevServer [-Dexec.args=8081]
 * </pre>
 * and open http://127.0.0.1:8081/. Edit the files under src/main/resources and run {@code test-compile} again.
 */
final class DashboardDevServer {
    static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.js";
    private static final String TOKEN = "dev";
    private static final Pattern WEIGHTS = Pattern.compile("/api/routes/([a-z0-9_-]+)/weights");
    private static final Pattern PAIR = Pattern.compile("\"([a-z0-9_-]+)\"\\s*:\\s*(-?\\d+)");

    private DashboardDevServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
        FakeStats stats = new FakeStats();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            try (exchange) {
                if (path.equals("/")) {
                    asset(exchange, "dev/tandem/dashboard/index.html");
                } else if (path.equals("/assets/chart.umd.js")) {
                    asset(exchange, CHART_JS);
                } else if (path.startsWith("/assets/") && !path.contains("..")) {
                    asset(exchange, "dev/tandem/dashboard/" + path.substring("/assets/".length()));
                } else if (path.equals("/api/stats")) {
                    send(exchange, 200, "application/json", stats.next());
                } else if (path.equals("/api/mirrors")) {
                    send(exchange, 200, "application/json", stats.mirrors());
                } else if (path.equals("/api/stream")) {
                    stream(exchange, stats);
                } else if (WEIGHTS.matcher(path).matches() && exchange.getRequestMethod().equals("PUT")) {
                    weights(exchange, stats, path);
                } else {
                    send(exchange, 404, "application/json", error(404, "no admin endpoint " + path));
                }
            }
        });
        server.start();
        System.out.println("dashboard dev server on http://127.0.0.1:" + port + "/ (admin token: " + TOKEN + ")");
    }

    private static void stream(HttpExchange exchange, FakeStats stats) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            while (true) {
                out.write(("event: stats\ndata: " + stats.next() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException gone) {
            // the page went away
        }
    }

    private static void weights(HttpExchange exchange, FakeStats stats, String path) throws IOException {
        if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "application/json",
                    error(401, "missing or wrong bearer token (expected: Authorization: Bearer <admin token>)"));
            return;
        }
        Matcher route = WEIGHTS.matcher(path);
        route.matches();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Integer> next = new LinkedHashMap<>();
        Matcher pair = PAIR.matcher(body);
        while (pair.find()) {
            next.put(pair.group(1), Integer.parseInt(pair.group(2)));
        }
        Map<String, Integer> current = stats.weights(route.group(1));
        if (current == null || !current.keySet().equals(next.keySet())
                || next.values().stream().anyMatch(w -> w < 0) || next.values().stream().mapToInt(w -> w).sum() == 0) {
            send(exchange, 400, "application/json", error(400,
                    "weights: " + next + " (expected: the route's backends " + current + ", each >= 0, not all 0)"));
            return;
        }
        stats.weights(route.group(1), next);
        send(exchange, 200, "application/json", "{\"route\":\"" + route.group(1) + "\",\"weights\":"
                + body.substring(body.indexOf('{', 1), body.lastIndexOf('}')) + "}");
    }

    private static void asset(HttpExchange exchange, String resource) throws IOException {
        try (InputStream in = DashboardDevServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                send(exchange, 404, "application/json", error(404, "no such asset"));
                return;
            }
            String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                    : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            byte[] bytes = in.readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    static String error(int status, String message) {
        return "{\"error\":\"error\",\"status\":" + status + ",\"message\":\"" + message.replace("\"", "\\\"") + "\"}";
    }
}
