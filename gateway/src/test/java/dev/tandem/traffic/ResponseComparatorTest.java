package dev.tandem.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.MirrorConfig.CompareConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseComparatorTest {
    private static final CompareConfig ALL_ON = new CompareConfig(List.of("generated_id"), List.of("content-type"),
            true, true, true, true, true, 0);
    private static final CompareConfig ALL_OFF = new CompareConfig(List.of(), List.of("content-type"),
            false, false, false, false, false, 0);

    private static ResponseComparator.Captured json(int status, String body) {
        return new ResponseComparator.Captured(status, Map.of("content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    private static List<ResponseComparator.Difference> compare(CompareConfig config, String a, String b) {
        return new ResponseComparator(config).compare(json(200, a), json(200, b));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "key order|{\"a\":1,\"b\":2}|{\"b\":2,\"a\":1}",
            "decimal as string vs number|{\"price\":\"12.50\"}|{\"price\":12.5}",
            "Z vs +00:00|{\"t\":\"2026-11-22T02:15:09.123456Z\"}|{\"t\":\"2026-11-22T02:15:09.123456+00:00\"}",
            "null vs missing|{\"a\":1,\"note\":null}|{\"a\":1}",
            "ignored field by key name anywhere|{\"x\":{\"generated_id\":1}}|{\"x\":{\"generated_id\":2}}",
    })
    void normalisersAbsorbTheUsualDjangoVsFastapiDrift(String name, String a, String b) {
        assertThat(compare(ALL_ON, a, b)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "decimal as string vs number|{\"price\":\"12.50\"}|{\"price\":12.5}|$.price",
            "Z vs +00:00|{\"t\":\"2026-11-22T02:15:09Z\"}|{\"t\":\"2026-11-22T02:15:09+00:00\"}|$.t",
            "null vs missing|{\"a\":1,\"note\":null}|{\"a\":1}|$.note",
    })
    void eachNormaliserCanBeTurnedOff(String name, String a, String b, String path) {
        assertThat(compare(ALL_OFF, a, b)).extracting(ResponseComparator.Difference::path).containsExactly(path);
    }

    @Test
    void onlyByteEqualAnswersAreIdenticalAndIdenticalAnswersNeverDiffer() {
        var a = json(200, "{\"id\":1,\"price\":\"12.50\"}");
        assertThat(ResponseComparator.identical(a, json(200, "{\"id\":1,\"price\":\"12.50\"}"))).isTrue();
        assertThat(new ResponseComparator(ALL_OFF).compare(a, json(200, "{\"id\":1,\"price\":\"12.50\"}"))).isEmpty();
        // Equal under the normalisers, but not byte-equal: left to the full comparison.
        assertThat(ResponseComparator.identical(a, json(200, "{\"id\":1,\"price\":12.5}"))).isFalse();
        assertThat(ResponseComparator.identical(a, json(201, "{\"id\":1,\"price\":\"12.50\"}"))).isFalse();
        var otherType = new ResponseComparator.Captured(200, Map.of("content-type", "text/plain"), a.body(), false);
        assertThat(ResponseComparator.identical(a, otherType)).isFalse();
    }

    @Test
    void realDifferencesAreReportedWithTheirPathAndBothValues() {
        List<ResponseComparator.Difference> differences = compare(ALL_ON,
                "{\"count\":2,\"results\":[{\"id\":1,\"name\":\"Mug\"},{\"id\":2,\"name\":\"Cup\"}]}",
                "{\"count\":2,\"results\":[{\"id\":1,\"name\":\"Mug\"},{\"id\":2,\"name\":\"Bowl\"}]}");

        assertThat(differences).extracting(Object::toString).containsExactly("$.results.1.name: \"Cup\" != \"Bowl\"");
    }

    @Test
    void statusesAreComparedWithRedirectAndValidationEquivalence() {
        ResponseComparator comparator = new ResponseComparator(ALL_ON);
        assertThat(comparator.compare(json(301, ""), json(307, ""))).isEmpty();
        assertThat(comparator.compare(json(400, "{\"detail\":\"x\"}"), json(422, "{\"detail\":[{\"loc\":[]}]}")))
                .isEmpty();
        assertThat(comparator.compare(json(200, "{}"), json(500, "{}")))
                .extracting(Object::toString).containsExactly("status: 200 != 500");
        assertThat(new ResponseComparator(ALL_OFF).compare(json(301, ""), json(307, ""))).hasSize(1);
    }

    @Test
    void nonJsonBodiesAreComparedByContentAndHeadersByMediaType() {
        ResponseComparator comparator = new ResponseComparator(ALL_ON);
        var html = new ResponseComparator.Captured(200, Map.of("content-type", "text/html; charset=utf-8"),
                "<p>a</p>".getBytes(StandardCharsets.UTF_8), false);
        var same = new ResponseComparator.Captured(200, Map.of("content-type", "text/html"),
                "<p>a</p>".getBytes(StandardCharsets.UTF_8), false);
        var other = new ResponseComparator.Captured(200, Map.of("content-type", "text/html"),
                "<p>b</p>".getBytes(StandardCharsets.UTF_8), false);

        assertThat(comparator.compare(html, same)).isEmpty();
        assertThat(comparator.compare(html, other)).extracting(ResponseComparator.Difference::path)
                .containsExactly("body");
    }
}
