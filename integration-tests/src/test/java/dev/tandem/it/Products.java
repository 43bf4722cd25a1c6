package dev.tandem.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.it.stack.Gateway;
import dev.tandem.it.support.Http;
import java.util.ArrayList;
import java.util.List;

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

    static JsonNode read(Gateway gateway, long id) {
        Http.Response response = Http.get(gateway.url("/api/products/" + id));
        assertThat(response.status()).as(response.describe()).isEqualTo(200);
        return response.json();
    }
}
