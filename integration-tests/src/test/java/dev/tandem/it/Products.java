package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.support.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Seeded products, read through the gateway. */
final class Products {

    private Products() {
    }

    /** The ids on the first page of {@code GET /api/products}; the seed guarantees some. */
    static List<Long> ids(Gateway gateway) {
        Http.Response response = Http.get(gateway.url("/api/products"));
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        response.json().path("results").forEach(p -> ids.add(p.path("id").asLong()));
        assertThat(ids).as("seeded products in " + response.describe()).isNotEmpty();
        return ids;
    }

    /** Product {@code id} as {@code backend} serves it, picked with the gateway's override header. */
    static JsonNode read(Gateway gateway, long id, String backend) {
        Http.Response response = Http.get(gateway.url("/api/products/" + id), Gateway.OVERRIDE_HEADER, backend);
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        assertThat(response.header("X-Backend")).as(response.describe()).contains(backend);
        return response.json();
    }

    private static final Pattern PRICE = Pattern.compile("\\d+\\.\\d{2}");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
    private static final Set<String> PRODUCT_FIELDS = new TreeSet<>(
            List.of("id", "sku", "name", "category", "price", "stock", "updated_at"));
    private static final Set<String> LIST_FIELDS = new TreeSet<>(List.of("count", "page", "page_size", "results"));

    /**
     * The problems of a product list against the dual-served contract (deploy/README.md), or empty:
     * {@code {"count", "page", "page_size", "results": [product, ...]}}.
     */
    static List<String> listProblems(JsonNode list) {
        List<String> problems = new ArrayList<>();
        if (!fieldNames(list).equals(LIST_FIELDS)) {
            problems.add("list fields " + fieldNames(list) + " (expected " + LIST_FIELDS + ")");
            return problems;
        }
        if (!list.path("count").isIntegralNumber() || !list.path("page").isIntegralNumber()
                || !list.path("page_size").isIntegralNumber() || !list.path("results").isArray()) {
            problems.add("list field types: " + list);
            return problems;
        }
        if (list.path("results").size() > list.path("page_size").asInt()) {
            problems.add("more results than page_size");
        }
        list.path("results").forEach(product -> problems.addAll(productProblems(product)));
        return problems;
    }

    /**
     * The problems of one product against the contract, or empty: {@code {"id": int, "sku": str, "name": str,
     * "category": {"id", "slug", "name"}, "price": "12.50", "stock": int, "updated_at": "...123456Z"}}.
     */
    static List<String> productProblems(JsonNode product) {
        List<String> problems = new ArrayList<>();
        if (!fieldNames(product).equals(PRODUCT_FIELDS)) {
            problems.add("product fields " + fieldNames(product) + " (expected " + PRODUCT_FIELDS + ")");
            return problems;
        }
        JsonNode category = product.path("category");
        boolean ok = product.path("id").isIntegralNumber() && product.path("id").asLong() > 0
                && product.path("sku").isTextual() && product.path("name").isTextual()
                && category.path("id").isIntegralNumber() && category.path("slug").isTextual()
                && category.path("name").isTextual()
                && product.path("price").isTextual() && PRICE.matcher(product.path("price").asText()).matches()
                && product.path("stock").isIntegralNumber() && product.path("stock").asLong() >= 0
                && product.path("updated_at").isTextual()
                && TIMESTAMP.matcher(product.path("updated_at").asText()).matches();
        if (!ok) {
            problems.add("product does not follow the contract: " + product);
        }
        return problems;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
