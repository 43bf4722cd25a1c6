package dev.tandem.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.TestBackend;
import dev.tandem.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps deploy/grafana and deploy/prometheus in step with what the gateway exports: every series and label the
 * dashboard queries exists in a real scrape of the admin listener, and the provisioning files agree with each
 * other. The queries themselves were run against a live Prometheus when written; this catches renames.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrafanaDashboardTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/dashboards/tandem-comparison.json");
    private static final Pattern SERIES = Pattern.compile("\\b(tandem_[a-z0-9_]+)(\\{([^}]*)})?");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*(=~|!=|!~|=)\\s*\"([^\"]*)\"");

    private static TestBackend django;
    private static TestBackend fastapi;
    private static TestGateway gateway;
    private static String scrape;

    @BeforeAll
    static void scrapeAGatewayThatServedBothBackends() throws Exception {
        django = TestBackend.start("django");
        fastapi = TestBackend.start("fastapi");
        gateway = TestGateway.start("""
                backends {
                  django  { url = "%s" }
                  fastapi { url = "%s" }
                }
                routes = [
                  { name = products-read, match { prefix = "/api/products" }, split { django = 50, fastapi = 50 } }
                  { name = core,          match { prefix = "/" },            backend = django }
                ]
                """.formatted(django.url(), fastapi.url()));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 20; i++) {
            client.send(HttpRequest.newBuilder(gateway.uri("/api/products/" + i)).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        client.send(HttpRequest.newBuilder(gateway.uri("/about")).build(), HttpResponse.BodyHandlers.discarding());
        scrape = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.server().adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (django != null) {
            django.close();
        }
        if (fastapi != null) {
            fastapi.close();
        }
    }

    private static List<String> queries() throws Exception {
        JsonNode root = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        root.findValues("expr").forEach(node -> queries.add(node.asText()));
        root.findValues("definition").forEach(node -> queries.add(node.asText()));
        return queries;
    }

    @Test
    void everySeriesAndLabelTheDashboardQueriesIsExported() throws Exception {
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThan(10);
        Set<String> queried = new TreeSet<>();
        for (String query : queries) {
            Matcher series = SERIES.matcher(query);
            while (series.find()) {
                String name = series.group(1);
                queried.add(name);
                assertThat(scrape).as("the scrape has a series %s", name).containsPattern("(?m)^" + name + "[{ ]");
                if (series.group(3) == null) {
                    continue;
                }
                Matcher label = LABEL.matcher(series.group(3));
                while (label.find()) {
                    String key = label.group(1);
                    String value = label.group(3);
                    assertThat(scrape).as("%s has a label %s", name, key)
                            .containsPattern("(?m)^" + name + "\\{[^}]*\\b" + key + "=\"");
                    if (label.group(2).equals("=") && !value.startsWith("$")) {
                        // Exact values the dashboard relies on: status classes and backend names.
                        assertThat(Set.of("5xx", "fastapi", "django")).contains(value);
                    }
                }
            }
        }
        assertThat(queried).contains("tandem_requests_seconds_count", "tandem_requests_seconds_bucket",
                "tandem_requests_active");
        // The status tag is a class, as the error-rate queries assume.
        assertThat(scrape).containsPattern("tandem_requests_seconds_count\\{[^}]*status=\"2xx\"");
        assertThat(scrape).containsPattern("tandem_requests_seconds_count\\{[^}]*backend=\"fastapi\"[^}]*"
                + "route=\"products-read\"");
    }

    @Test
    void provisioningAgreesWithTheDashboardAndPrometheusScrapesTheAdminPort() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("tandem-comparison");
        assertThat(dashboard.path("templating").toString()).contains("tandem-prometheus");

        String datasources = Files.readString(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"));
        assertThat(datasources).contains("uid: tandem-prometheus", "url: http://prometheus:9090");
        String providers = Files.readString(DEPLOY.resolve("grafana/provisioning/dashboards/tandem.yml"));
        assertThat(providers).contains("path: /var/lib/grafana/dashboards/tandem");

        String prometheus = Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"));
        assertThat(prometheus).contains("scrape_interval: 5s", "metrics_path: /metrics", "\"tandem:8081\"");
    }
}
