package dev.tandem.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.admin.AdminChanges;
import dev.tandem.config.GatewayConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.proxy.ProxyContext;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime weight changes: applied atomically to new requests, persisted, audited, and reconciled with config
 * reloads.
 *
 * <p>Every change and every reload runs on one thread, in order, so no change is lost to a concurrent one and
 * the file is never written twice at once. A change is in force when its future completes: it is persisted first
 * (written to a temporary file, then moved over the state file), then installed.
 *
 * <p>Reconciliation: a runtime override wins over the config file until it is cleared with
 * {@code DELETE /api/routes/{route}/weights}; a reload keeps it, unless the route is gone from the file or the
 * override names a backend that no longer exists (then it is dropped, and the audit log says so).
 */
public final class TrafficControl implements AdminChanges, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrafficControl.class);
    private static final Logger audit = LoggerFactory.getLogger("tandem.audit");
    /** Made on first use: most starts read no state file, and Jackson's set-up costs start-up time. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    private static final Pattern WEIGHTS_PATH = Pattern.compile("/api/routes/([^/]+)/weights");
    private static final int AUDIT_SIZE = 200;

    /** A route's weights as changed at runtime. */
    record RuntimeWeights(Map<String, Integer> weights, String changedBy, Instant changedAt) {
    }

    private final ProxyContext proxy;
    private final @Nullable Path stateFile;
    private final ExecutorService executor;
    /** Written only on the executor thread. */
    private final Map<String, RuntimeWeights> overrides = new LinkedHashMap<>();
    private final ArrayDeque<ObjectNode> auditLog = new ArrayDeque<>();
    /** The config as the file says, before overrides; replaced by reloads. */
    private GatewayConfig fileConfig;

    private TrafficControl(ProxyContext proxy, GatewayConfig fileConfig, @Nullable Path stateFile) {
        this.proxy = proxy;
        this.fileConfig = fileConfig;
        this.stateFile = stateFile;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "tandem-changes");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the persisted overrides, if any, and installs the file config with them. Runs on the calling (main)
     * thread, before the gateway takes traffic.
     */
    public static TrafficControl start(ProxyContext proxy, GatewayConfig fileConfig) throws IOException {
        TrafficControl control = new TrafficControl(proxy, fileConfig, fileConfig.traffic().stateFile());
        control.load();
        proxy.install(control.applyOverrides(fileConfig, "start"));
        return control;
    }

    /** Installs a reloaded file config with the runtime overrides on top; in order with changes. */
    public CompletableFuture<GatewayConfig> reload(GatewayConfig newFileConfig) {
        return CompletableFuture.supplyAsync(() -> {
            fileConfig = newFileConfig;
            GatewayConfig effective = applyOverrides(newFileConfig, "reload");
            proxy.install(effective);
            persistQuietly();
            return effective;
        }, executor);
    }

    @Override
    public CompletableFuture<Result> handle(HttpMethod method, String path, String body, String who) {
        Matcher weights = WEIGHTS_PATH.matcher(path);
        if (!weights.matches()) {
            return CompletableFuture.completedFuture(error(404, "no admin endpoint " + method + " " + path));
        }
        String route = weights.group(1);
        if (method.equals(HttpMethod.PUT)) {
            return CompletableFuture.supplyAsync(() -> setWeights(route, body, who), executor);
        }
        if (method.equals(HttpMethod.DELETE)) {
            return CompletableFuture.supplyAsync(() -> clearWeights(route, who), executor);
        }
        return CompletableFuture.completedFuture(
                error(405, method + " " + path + " (expected: PUT to change the weights, DELETE to clear the change)"));
    }

    private Result setWeights(String routeName, String body, String who) {
        RouteConfig route = route(proxy.snapshot().config(), routeName);
        if (route == null) {
            return error(404, "no route named '" + routeName + "'");
        }
        Map<String, Integer> weights;
        try {
            weights = inDeclaredOrder(parseWeights(body, proxy.snapshot().config()), route, route(fileConfig,
                    routeName));
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        RuntimeWeights previous = overrides.put(routeName, new RuntimeWeights(weights, who, Instant.now()));
        try {
            persist();
        } catch (IOException e) {
            // Not persisted means not applied: a change that would vanish on restart is refused whole.
            restore(routeName, previous);
            log.error("could not persist the weight change of route {}", routeName, e);
            return error(500, "could not persist the change to " + stateFile + ": " + e.getMessage());
        }
        proxy.install(applyOverrides(fileConfig, null));
        record(routeName, "set", route.weights(), weights, who);
        return new Result(200, routeJson(routeName, route.weights(), weights, true));
    }

    private Result clearWeights(String routeName, String who) {
        RouteConfig current = route(proxy.snapshot().config(), routeName);
        if (current == null) {
            return error(404, "no route named '" + routeName + "'");
        }
        RuntimeWeights previous = overrides.remove(routeName);
        if (previous == null) {
            return new Result(200, routeJson(routeName, current.weights(), current.weights(), false));
        }
        try {
            persist();
        } catch (IOException e) {
            overrides.put(routeName, previous);
            return error(500, "could not persist the change to " + stateFile + ": " + e.getMessage());
        }
        GatewayConfig effective = applyOverrides(fileConfig, null);
        proxy.install(effective);
        RouteConfig restored = route(effective, routeName);
        Map<String, Integer> now = restored == null ? Map.of() : restored.weights();
        record(routeName, "clear", current.weights(), now, who);
        return new Result(200, routeJson(routeName, current.weights(), now, false));
    }

    private void restore(String routeName, @Nullable RuntimeWeights previous) {
        if (previous == null) {
            overrides.remove(routeName);
        } else {
            overrides.put(routeName, previous);
        }
    }

    /** The file config with every still-valid override applied; invalid ones are dropped and audited. */
    GatewayConfig applyOverrides(GatewayConfig config, @Nullable String reason) {
        if (overrides.isEmpty()) {
            return config;
        }
        List<RouteConfig> routes = new ArrayList<>(config.routes());
        Iterator<Map.Entry<String, RuntimeWeights>> entries = overrides.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<String, RuntimeWeights> entry = entries.next();
            int index = indexOf(routes, entry.getKey());
            boolean backendsExist = config.backends().keySet().containsAll(entry.getValue().weights().keySet());
            if (index < 0 || !backendsExist) {
                entries.remove();
                String why = index < 0 ? "route no longer exists" : "a backend no longer exists";
                log.warn("dropping the runtime weights of route {} on {}: {}", entry.getKey(), reason, why);
                record(entry.getKey(), "drop (" + why + ")", entry.getValue().weights(), Map.of(), "tandem");
                continue;
            }
            routes.set(index, routes.get(index).withWeights(entry.getValue().weights()));
        }
        return config.withRoutes(routes);
    }

    /**
     * The weights in the route's declared order, whatever the order of the request body: a sticky client's place
     * on the split line depends on that order, so a change that only reorders keys must move nobody. Backends the
     * route did not have yet go last, in body order; backends it had and the body leaves out get weight 0.
     */
    static Map<String, Integer> inDeclaredOrder(Map<String, Integer> weights, RouteConfig current,
            @Nullable RouteConfig declared) {
        Map<String, Integer> ordered = new LinkedHashMap<>();
        RouteConfig reference = declared != null ? declared : current;
        for (String backend : reference.weights().keySet()) {
            ordered.put(backend, weights.getOrDefault(backend, 0));
        }
        for (String backend : current.weights().keySet()) {
            ordered.putIfAbsent(backend, weights.getOrDefault(backend, 0));
        }
        weights.forEach(ordered::putIfAbsent);
        return ordered;
    }

    static Map<String, Integer> parseWeights(String body, GatewayConfig config) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not JSON (expected: {\"weights\":{\"django\":90,\"fastapi\":10}})");
        }
        JsonNode weightsNode = root == null ? null : root.get("weights");
        if (weightsNode == null || !weightsNode.isObject() || weightsNode.isEmpty()) {
            throw new IllegalArgumentException(
                    "weights: missing or empty (expected: {\"weights\":{\"django\":90,\"fastapi\":10}})");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        int sum = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = weightsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String backend = field.getKey();
            JsonNode value = field.getValue();
            if (!config.backends().containsKey(backend)) {
                throw new IllegalArgumentException("weights." + backend + ": unknown backend (expected: one of "
                        + config.backends().keySet() + ")");
            }
            if (!value.isInt() || value.intValue() < 0 || value.intValue() > 100) {
                throw new IllegalArgumentException("weights." + backend + ": " + value + " (expected: an integer 0..100)");
            }
            weights.put(backend, value.intValue());
            sum += value.intValue();
        }
        if (sum != 100) {
            throw new IllegalArgumentException("weights: sum " + sum + " (expected: 100)");
        }
        return weights;
    }

    // ---- persistence -----------------------------------------------------------------------------------------------

    private void load() throws IOException {
        if (stateFile == null || !Files.exists(stateFile)) {
            return;
        }
        JsonNode root = Json.MAPPER.readTree(stateFile.toFile());
        JsonNode routes = root == null ? null : root.get("routes");
        if (routes == null || !routes.isObject()) {
            throw new IOException(stateFile + ": no \"routes\" object (expected: a Tandem state file)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = routes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode node = entry.getValue();
            Map<String, Integer> weights = new LinkedHashMap<>();
            node.get("weights").fields().forEachRemaining(w -> weights.put(w.getKey(), w.getValue().intValue()));
            overrides.put(entry.getKey(), new RuntimeWeights(weights, node.path("changed_by").asText("unknown"),
                    Instant.parse(node.path("changed_at").asText(Instant.EPOCH.toString()))));
        }
        log.info("loaded runtime weights for {} routes from {}", overrides.size(), stateFile);
    }

    private void persist() throws IOException {
        if (stateFile == null) {
            return;
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("version", 1);
        ObjectNode routes = root.putObject("routes");
        overrides.forEach((route, override) -> {
            ObjectNode node = routes.putObject(route);
            ObjectNode weights = node.putObject("weights");
            override.weights().forEach(weights::put);
            node.put("changed_by", override.changedBy());
            node.put("changed_at", override.changedAt().toString());
        });
        Path dir = stateFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".tandem-state", ".tmp");
        try {
            Files.write(temp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void persistQuietly() {
        try {
            persist();
        } catch (IOException e) {
            log.error("could not persist runtime weights to {}", stateFile, e);
        }
    }

    // ---- audit -----------------------------------------------------------------------------------------------------

    private void record(String route, String action, Map<String, Integer> before, Map<String, Integer> after,
            String who) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("time", Instant.now().toString());
        entry.put("who", who);
        entry.put("route", route);
        entry.put("action", action);
        ObjectNode old = entry.putObject("old");
        before.forEach(old::put);
        ObjectNode now = entry.putObject("new");
        after.forEach(now::put);
        audit.info(entry.toString());
        synchronized (auditLog) {
            auditLog.addFirst(entry);
            while (auditLog.size() > AUDIT_SIZE) {
                auditLog.removeLast();
            }
        }
    }

    @Override
    public String auditJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode changes = root.putArray("changes");
        synchronized (auditLog) {
            auditLog.forEach(changes::add);
        }
        return root.toString();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static @Nullable RouteConfig route(GatewayConfig config, String name) {
        for (RouteConfig route : config.routes()) {
            if (route.name().equals(name)) {
                return route;
            }
        }
        return null;
    }

    private static int indexOf(List<RouteConfig> routes, String name) {
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String routeJson(String route, Map<String, Integer> previous, Map<String, Integer> weights,
            boolean overridden) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("route", route);
        weights.forEach(root.putObject("weights")::put);
        previous.forEach(root.putObject("previous")::put);
        root.put("runtime_override", overridden);
        return root.toString();
    }

    private static Result error(int status, String message) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("status", status);
        root.put("message", message);
        return new Result(status, root.toString());
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
