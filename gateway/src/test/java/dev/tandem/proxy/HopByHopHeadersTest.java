package dev.tandem.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    @Test
    void stripsTheAlwaysHopByHopFieldsAndEveryFieldConnectionNames() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Private")
                .add("Connection", "x-other")
                .add("X-Private", "1").add("X-Other", "2").add("X-Kept", "3")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive")
                .add("Proxy-Authorization", "Basic x").add("Proxy-Authenticate", "Basic")
                .add("Trailer", "Expires").add("TE", "gzip").add("Upgrade", "h2c");

        HopByHopHeaders.strip(headers, false);

        assertThat(headers.names()).containsExactly("X-Kept");
    }

    @Test
    void keepsTeTrailersAndTheFramingFieldsAClientNamesInConnection() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "Content-Length, Transfer-Encoding, Host")
                .add("Content-Length", "4").add("Host", "a").add("TE", "trailers");

        HopByHopHeaders.strip(headers, false);

        assertThat(headers.get("Content-Length")).isEqualTo("4");
        assertThat(headers.get("Host")).isEqualTo("a");
        assertThat(headers.get("TE")).isEqualTo("trailers");
        assertThat(headers.contains("Connection")).isFalse();
    }

    @Test
    void aWebSocketHandshakeKeepsUpgrade() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Connection", "keep-alive, Upgrade")
                .add("Upgrade", "websocket").add("Keep-Alive", "timeout=5");

        HopByHopHeaders.strip(headers, true);

        assertThat(headers.get("Upgrade")).isEqualTo("websocket");
        assertThat(headers.get("Connection")).isEqualTo("upgrade");
        assertThat(headers.contains("Keep-Alive")).isFalse();
    }
}
