package dev.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/api/products?page=2         | /api/products        | page=2",
            "/a/./b/../c                  | /a/c                 | -",
            "/api/../admin                | /admin               | -",
            "/../../etc/passwd            | /etc/passwd          | -",
            "/api/%2e%2e/admin            | /admin               | -",
            "/%7Euser/%41                 | /~user/A             | -",
            "/a%2Fb/../c                  | /c                   | -",
            "/a%2fb                       | /a%2Fb               | -",
            "/dir/.                       | /dir/                | -",
            "/dir/..                      | /                    | -",
            "//double//slash              | //double//slash      | -",
            "http://example.com/x?y=1     | /x                   | y=1",
            "http://example.com?y=1       | /                    | y=1",
            "/q?a=/../b                   | /q                   | a=/../b",
    })
    void pathsAreNormalisedBeforeRouting(String uri, String path, String query) {
        RequestTarget target = RequestTarget.parse(uri.trim());

        assertThat(target).isNotNull();
        assertThat(target.path()).isEqualTo(path.trim());
        assertThat(target.query()).isEqualTo(query == null ? null : query.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"api/x", "*", "/x#frag", "/bad%zz", "/bad%4", "ftp://host/x", "/sp ace", "/tab\tx"})
    void invalidTargetsAreRefused(String uri) {
        assertThat(RequestTarget.parse(uri)).isNull();
    }
}
