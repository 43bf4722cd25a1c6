package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.stack.GatewayAdmin;
import dev.tandem.it.stack.HybridStack;
import dev.tandem.it.stack.HybridStackTest;
import dev.tandem.it.support.Http;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Moving the dual-served product reads from Django to FastAPI as an operator would, under live traffic: the
 * route's weights go 0 → 10 → 50 → 100 for FastAPI through the admin API, then one {@code DELETE} rolls back to
 * the file's {@code django = 100}. Meanwhile a few clients, each cycling through sessions of its own
 * ({@code sessionid} cookies, the route's sticky key), read the list and single products without pause.
 *
 * <p>Proved: not one request fails (each is a 200 with the contract's JSON, from either app); at each step the
 * share of distinct sessions FastAPI serves follows the weight; a session keeps its backend while the weights
 * stand, and as FastAPI's weight only grows no session ever moves back to Django (a client on FastAPI at 10 is
 * still there at 50); two gateways with the same weights place every session alike; the roll-back puts everyone
 * on Django again.
 */
@HybridStackTest
@ParameterizedClass(name = "gateway with {0} event loop(s)")
@FieldSource("dev.tandem.it.stack.HybridStack#EVENT_LOOPS")
class TrafficShiftIT {

    private static final String ROUTE = "products-read";
    /** FastAPI's weight at each step; Django has the rest. */
    private static final List<Integer> STEPS = List.of(0, 10, 50, 100);
    /** Distinct sessions placed once per step, to measure the share; the same keys on every gateway. */
    private static final int SWEEP_SESSIONS = 240;
    /** How far a step's share of sessions may be from its weight, in percentage points. */
    private static final double SHARE_TOLERANCE = 10.0;
    private static final int CLIENTS = 3;
    private static final int SESSIONS_PER_CLIENT = 8;
    /** Bounds on the live traffic, whatever happens to the test. */
    private static final int REQUESTS_PER_CLIENT_LIMIT = 5_000;
    private static final Duration TRAFFIC_TIME_LIMIT = Duration.ofSeconds(100);
    /** Requests each client completes after a change before the test moves on. */
    private static final int PROGRESS_PER_STEP = 15;

    /** The sweep's placements at each step on the first gateway tested; the next must agree. */
    private static final Map<Integer, Map<String, String>> FIRST_REPLICA = new ConcurrentHashMap<>();

    @Parameter
    int eventLoops;

    private Gateway gateway;
    private GatewayAdmin admin;

    @BeforeEach
    void setUp(HybridStack stack) {
        gateway = stack.gateway(eventLoops);
        admin = GatewayAdmin.of(gateway);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void productReadsMoveToFastApiInStepsWithoutOneFailedRequest() throws Exception {
        assertThat(admin.weights(ROUTE)).as("the file's weights").containsExactly(entry("django", 100), entry("fastapi", 0));
        List<Long> ids = Products.ids(gateway);
        Map<Integer, Map<String, String>> placements = new LinkedHashMap<>();
        Map<String, String> restored;
        LiveTraffic traffic = new LiveTraffic(gateway, ids);
        ExecutorService sweeper = Executors.newFixedThreadPool(6, r -> new Thread(r, "shift-sweep"));
        try {
            for (int fastapi : STEPS) {
                Map<String, Integer> weights = new LinkedHashMap<>();
                weights.put("django", 100 - fastapi);
                weights.put("fastapi", fastapi);
                traffic.changing();
                Http.Response put = admin.putWeights(ROUTE, weights);
                traffic.changed();
                assertThat(put.status()).as(put.describe()).isEqualTo(200);
                assertThat(put.json().path("route").asText()).isEqualTo(ROUTE);
                assertThat(put.json().path("runtime_override").asBoolean()).as(put.describe()).isTrue();
                assertThat(weightsOf(put.json().path("weights"))).as(put.describe()).isEqualTo(weights);
                assertThat(admin.weights(ROUTE)).as("/api/routes after the change").isEqualTo(weights);

                traffic.awaitProgress(PROGRESS_PER_STEP);
                Map<String, String> placed = sweep(sweeper, ids, traffic);
                assertShare(placed, fastapi);
                placements.put(fastapi, placed);
            }
            assertNoSessionMovedBack(placements);
            assertSameAsTheOtherReplica(placements);

            traffic.changing();
            Http.Response cleared = admin.clearWeights(ROUTE);
            traffic.changed();
            assertThat(cleared.status()).as(cleared.describe()).isEqualTo(200);
            assertThat(cleared.json().path("runtime_override").asBoolean()).as(cleared.describe()).isFalse();
            assertThat(admin.weights(ROUTE)).as("/api/routes after the roll-back")
                    .containsExactly(entry("django", 100), entry("fastapi", 0));
            traffic.awaitProgress(PROGRESS_PER_STEP);
            restored = sweep(sweeper, ids, traffic);
        } finally {
            traffic.stop();
            sweeper.shutdownNow();
            restoreFileWeights();
        }

        List<String> failures = List.copyOf(traffic.failures);
        assertThat(failures).as(failures.size() + " failed requests of " + traffic.requests()
                + " (first 10):\n" + failures.stream().limit(10).collect(Collectors.joining("\n"))).isEmpty();
        assertThat(restored.values()).as("sessions after the roll-back").containsOnly("django");
        traffic.assertSticky();
        System.out.printf("[tandem-it] %s: %d live requests and %d swept, none failed; FastAPI's share of %d sessions"
                        + " by step %s%n", gateway.name(), traffic.requests(), SWEEP_SESSIONS * (STEPS.size() + 1),
                SWEEP_SESSIONS, placements.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                        e -> fastapiCount(e.getValue()), (a, b) -> a, TreeMap::new)));
    }

    /** Leaves the shared gateway on the file's weights even when the test failed midway (DELETE is idempotent). */
    private void restoreFileWeights() {
        try {
            admin.clearWeights(ROUTE);
        } catch (RuntimeException e) {
            System.out.println("[tandem-it] " + gateway.name() + ": could not clear the weights of " + ROUTE + ": " + e);
        }
    }

    /** Each sweep session reads one product once; returns where each was placed. Failures go to the traffic's. */
    private Map<String, String> sweep(ExecutorService sweeper, List<Long> ids, LiveTraffic traffic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Future<String>> pending = new LinkedHashMap<>();
        for (int i = 0; i < SWEEP_SESSIONS; i++) {
            String session = "sweep-session-" + i;
            String path = "/api/products/" + ids.get(i % ids.size());
            pending.put(session, sweeper.submit(() -> traffic.read(path, session)));
        }
        Map<String, String> placed = new LinkedHashMap<>();
        for (Map.Entry<String, Future<String>> each : pending.entrySet()) {
            String backend = each.getValue().get(30, TimeUnit.SECONDS);
            if (backend != null) {
                placed.put(each.getKey(), backend);
            }
        }
        assertThat(placed).as("sweep answers; failures:\n" + String.join("\n", traffic.failures)).hasSize(SWEEP_SESSIONS);
        return placed;
    }

    private void assertShare(Map<String, String> placed, int weight) {
        long onFastApi = fastapiCount(placed);
        double share = 100.0 * onFastApi / placed.size();
        String what = gateway.name() + ": " + onFastApi + " of " + placed.size() + " sessions on FastAPI at weight " + weight;
        assertThat(placed.values()).as(what).allMatch(b -> b.equals("django") || b.equals("fastapi"));
        if (weight == 0) {
            assertThat(onFastApi).as(what).isZero();
        } else if (weight == 100) {
            assertThat(onFastApi).as(what).isEqualTo(placed.size());
        } else {
            assertThat(onFastApi).as(what).isPositive().isLessThan(placed.size());
            assertThat(share).as(what).isBetween(weight - SHARE_TOLERANCE, weight + SHARE_TOLERANCE);
        }
    }

    /** As FastAPI's weight only grows, its sessions at one step are all still on it at the next. */
    private static void assertNoSessionMovedBack(Map<Integer, Map<String, String>> placements) {
        Set<String> previous = Set.of();
        int previousWeight = -1;
        for (Map.Entry<Integer, Map<String, String>> step : placements.entrySet()) {
            Set<String> onFastApi = step.getValue().entrySet().stream().filter(e -> e.getValue().equals("fastapi"))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            Set<String> movedBack = new TreeSet<>(previous);
            movedBack.removeAll(onFastApi);
            assertThat(movedBack).as("sessions on FastAPI at weight " + previousWeight + " but on Django at "
                    + step.getKey()).isEmpty();
            previous = onFastApi;
            previousWeight = step.getKey();
        }
    }

    /** Placement depends on the session key alone: another gateway with the same weights agrees on every session. */
    private void assertSameAsTheOtherReplica(Map<Integer, Map<String, String>> placements) {
        placements.forEach((weight, placed) -> {
            Map<String, String> first = FIRST_REPLICA.putIfAbsent(weight, Map.copyOf(placed));
            if (first != null) {
                assertThat(placed).as(gateway.name() + " against the gateway tested before it, at weight " + weight)
                        .isEqualTo(first);
            }
        });
    }

    private static long fastapiCount(Map<String, String> placed) {
        return placed.values().stream().filter("fastapi"::equals).count();
    }

    private static Map<String, Integer> weightsOf(JsonNode node) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        node.fields().forEachRemaining(w -> weights.put(w.getKey(), w.getValue().asInt()));
        return weights;
    }

    /** One product read, checked: a 200 with the contract's JSON from one of the apps, named alike by both headers. */
    static String problem(Http.Response response, String path) {
        if (response.status() != 200) {
            return "status " + response.status() + ": " + response.describe();
        }
        String backend = response.header("X-Backend").orElse("");
        if (!backend.equals("django") && !backend.equals("fastapi")) {
            return "X-Backend '" + backend + "': " + response.describe();
        }
        if (!response.header("X-Tandem-Backend").orElse("").equals(backend)) {
            return "X-Tandem-Backend differs from X-Backend: " + response.describe();
        }
        JsonNode body;
        try {
            body = Http.JSON.readTree(response.body());
        } catch (IOException e) {
            return "not JSON: " + response.describe();
        }
        List<String> problems = path.startsWith("/api/products?") ? Products.listProblems(body)
                : Products.productProblems(body);
        if (!problems.isEmpty()) {
            return problems + ": " + response.describe();
        }
        if (!path.contains("?") && body.path("id").asLong() != Long.parseLong(path.substring(path.lastIndexOf('/') + 1))) {
            return "another product: " + response.describe();
        }
        return null;
    }

    /** Where one request of a live session went, and the change phases seen before it was sent and after it was answered. */
    private record Observation(String session, int phaseBefore, int phaseAfter, String backend) {
    }

    /**
     * The live clients. A phase counter tells requests apart: even while weights stand (0 before the first change,
     * 2 after it, and so on), odd while a change is being made; a request seen at the same even phase before it was
     * sent and after it was answered ran entirely under one set of weights.
     */
    private static final class LiveTraffic {
        private final Gateway gateway;
        private final List<Long> ids;
        private final AtomicInteger phase = new AtomicInteger();
        private final Queue<Observation> observations = new ConcurrentLinkedQueue<>();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong[] completed = new AtomicLong[CLIENTS];
        private final List<Thread> clients = new ArrayList<>();
        private volatile boolean stopped;

        LiveTraffic(Gateway gateway, List<Long> ids) {
            this.gateway = gateway;
            this.ids = ids;
            for (int c = 0; c < CLIENTS; c++) {
                completed[c] = new AtomicLong();
                int client = c;
                Thread thread = new Thread(() -> run(client), "shift-client-" + c);
                thread.setDaemon(true);
                clients.add(thread);
                thread.start();
            }
        }

        private void run(int client) {
            List<String> sessions = new ArrayList<>();
            for (int s = 0; s < SESSIONS_PER_CLIENT; s++) {
                sessions.add("live-" + client + "-" + UUID.randomUUID());
            }
            long deadline = System.nanoTime() + TRAFFIC_TIME_LIMIT.toNanos();
            for (int i = 0; i < REQUESTS_PER_CLIENT_LIMIT && !stopped && System.nanoTime() < deadline; i++) {
                String session = sessions.get(i % sessions.size());
                String path = i % 4 == 0
                        ? "/api/products?page=" + (1 + (i / 4) % 3) + "&page_size=10"
                        : "/api/products/" + ids.get((i * 7 + client) % ids.size());
                int before = phase.get();
                String backend = read(path, session);
                if (backend != null) {
                    observations.add(new Observation(session, before, phase.get(), backend));
                }
                completed[client].incrementAndGet();
            }
        }

        /** One read for a session; its backend, or null after recording why it failed. */
        String read(String path, String session) {
            requests.incrementAndGet();
            try {
                Http.Response response = Http.get(gateway.url(path), "Cookie", "sessionid=" + session);
                String problem = problem(response, path);
                if (problem != null) {
                    failures.add(problem);
                    return null;
                }
                return response.header("X-Backend").orElseThrow();
            } catch (RuntimeException | AssertionError e) {
                failures.add("GET " + path + " (session " + session + ") failed: " + e);
                return null;
            }
        }

        void changing() {
            phase.incrementAndGet();
        }

        void changed() {
            phase.incrementAndGet();
        }

        long requests() {
            return requests.get();
        }

        /** Waits until every client has completed {@code count} more requests: the step is under live traffic. */
        void awaitProgress(int count) {
            long[] marks = new long[CLIENTS];
            for (int c = 0; c < CLIENTS; c++) {
                marks[c] = completed[c].get();
            }
            await().alias(gateway.name() + ": " + count + " more live requests from each client")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast("a live client stopped", () -> clients.stream().anyMatch(t -> !t.isAlive()))
                    .until(() -> {
                        for (int c = 0; c < CLIENTS; c++) {
                            if (completed[c].get() < marks[c] + count) {
                                return false;
                            }
                        }
                        return true;
                    });
        }

        void stop() throws InterruptedException {
            stopped = true;
            for (Thread client : clients) {
                client.join(30_000);
            }
        }

        /**
         * While weights stand, a session keeps one backend (Django before the first change, after the step to 0 and
         * after the roll-back; FastAPI at 100). Until the roll-back, no session goes from FastAPI back to Django.
         */
        void assertSticky() {
            int rollBack = 2 * (STEPS.size() + 1);
            Map<String, Set<String>> byStablePhase = new TreeMap<>();
            Map<String, List<String>> growing = new LinkedHashMap<>();
            for (Observation o : observations) {
                if (o.phaseBefore() == o.phaseAfter() && o.phaseBefore() % 2 == 0) {
                    byStablePhase.computeIfAbsent(o.session() + " in phase " + o.phaseBefore(), k -> new LinkedHashSet<>())
                            .add(o.backend());
                }
                if (o.phaseAfter() < rollBack - 1) {
                    growing.computeIfAbsent(o.session(), k -> new ArrayList<>()).add(o.backend());
                }
            }
            assertThat(byStablePhase).as("live sessions under unchanged weights").isNotEmpty();
            byStablePhase.forEach((key, backends) ->
                    assertThat(backends).as("backends of live session " + key).hasSize(1));
            growing.forEach((session, backends) -> {
                int firstFastApi = backends.indexOf("fastapi");
                if (firstFastApi >= 0) {
                    assertThat(backends.subList(firstFastApi, backends.size()))
                            .as("live session " + session + " after its first FastAPI answer, as FastAPI's weight grows")
                            .containsOnly("fastapi");
                }
            });
            // Phase 0 (the file's weights) may have seen no request at all: the first change follows the start.
            assertThat(backendsIn(0)).as("live backends before the first change").isSubsetOf("django");
            assertThat(backendsIn(2)).as("live backends at FastAPI weight 0").containsExactly("django");
            assertThat(backendsIn(2 * STEPS.size())).as("live backends at FastAPI weight 100").containsExactly("fastapi");
            assertThat(backendsIn(rollBack)).as("live backends after the roll-back").containsExactly("django");
        }

        private Set<String> backendsIn(int stablePhase) {
            return observations.stream().filter(o -> o.phaseBefore() == stablePhase && o.phaseAfter() == stablePhase)
                    .map(Observation::backend).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
