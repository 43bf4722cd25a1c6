package dev.tandem.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.MatchConfig;
import dev.tandem.config.RouteConfig;
import dev.tandem.config.StickyConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SplitTest {
    private static final MatchConfig ALL = new MatchConfig(null, "/", null, Set.of(), List.of());
    private static final int CLIENTS = 20_000;

    private static Split split(int django, int fastapi, StickyConfig sticky) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("django", django);
        weights.put("fastapi", fastapi);
        return Split.of(new RouteConfig("r", ALL, weights, sticky, null, null, null, null));
    }

    private static HttpHeaders cookie(String session) {
        return new DefaultHttpHeaders().add("Cookie", "csrftoken=abc; sessionid=" + session + "; theme=dark");
    }

    @ParameterizedTest
    @CsvSource({"90, 10", "50, 50", "1, 99", "0, 100", "100, 0"})
    void stickyClientsSpreadByWeightWithinStatisticalBounds(int django, int fastapi) {
        Split split = split(django, fastapi, new StickyConfig(StickyConfig.Kind.COOKIE, "sessionid"));
        int onFastapi = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (split.choose(cookie("session-" + i), null).equals("fastapi")) {
                onFastapi++;
            }
        }
        double expected = CLIENTS * fastapi / 100.0;
        // Four standard deviations of a binomial: fails by chance about once in 30,000 runs.
        double tolerance = 4 * Math.sqrt(CLIENTS * (fastapi / 100.0) * (1 - fastapi / 100.0)) + 1;
        assertThat((double) onFastapi).isBetween(expected - tolerance, expected + tolerance);
    }

    @Test
    void raisingAWeightMovesOnlyTheClientsThatMustMove() {
        StickyConfig sticky = new StickyConfig(StickyConfig.Kind.HEADER, "X-User");
        Split before = split(90, 10, sticky);
        Split after = split(80, 20, sticky);
        int moved = 0;
        for (int i = 0; i < CLIENTS; i++) {
            HttpHeaders headers = new DefaultHttpHeaders().add("X-User", "user-" + i);
            String was = before.choose(headers, null);
            String is = after.choose(headers, null);
            if (was.equals("fastapi")) {
                assertThat(is).as("a client already on fastapi stays there").isEqualTo("fastapi");
            }
            if (!was.equals(is)) {
                moved++;
            }
        }
        // Only the 10% that must move do.
        assertThat(moved).isBetween((int) (CLIENTS * 0.08), (int) (CLIENTS * 0.12));
    }

    @Test
    void theSameKeyGoesToTheSameBackendOnEveryReplica() {
        StickyConfig sticky = new StickyConfig(StickyConfig.Kind.CLIENT_IP, null);
        Split replicaA = split(50, 50, sticky);
        Split replicaB = split(50, 50, sticky);
        for (int i = 0; i < 1000; i++) {
            String ip = "10.0." + (i / 256) + "." + (i % 256);
            assertThat(replicaB.choose(new DefaultHttpHeaders(), ip))
                    .isEqualTo(replicaA.choose(new DefaultHttpHeaders(), ip));
        }
        // Pinned values: the hash must not change between releases, or clients would move on upgrade.
        assertThat(Split.point("10.0.0.1")).isEqualTo(Split.point("10.0.0.1"));
        assertThat(Split.point("alice")).isNotEqualTo(Split.point("bob"));
    }

    @Test
    void requestsWithoutTheKeyAreSpreadAtRandomByWeight() {
        Split split = split(70, 30, new StickyConfig(StickyConfig.Kind.COOKIE, "sessionid"));
        int onFastapi = 0;
        for (int i = 0; i < CLIENTS; i++) {
            if (split.choose(new DefaultHttpHeaders(), null).equals("fastapi")) {
                onFastapi++;
            }
        }
        assertThat(onFastapi).isBetween((int) (CLIENTS * 0.27), (int) (CLIENTS * 0.33));
    }

    @Test
    void theCookieIsFoundAmongOthersAndNotConfusedWithASimilarName() {
        Split split = split(50, 50, new StickyConfig(StickyConfig.Kind.COOKIE, "sessionid"));
        String chosen = split.choose(new DefaultHttpHeaders().add("Cookie", "xsessionid=zzz; sessionid=abc"), null);

        assertThat(chosen).isEqualTo(split.backendAt(Split.point("abc")));
    }

    @Test
    void aSingleBackendRouteAlwaysChoosesIt() {
        Split split = Split.of(RouteConfig.of("r", ALL, "django"));

        assertThat(split.isSingle()).isTrue();
        assertThat(split.choose(new DefaultHttpHeaders(), "1.2.3.4")).isEqualTo("django");
        assertThat(split.serves("fastapi")).isFalse();
    }
}
