package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.GatewayConfig;
import dev.tandem.proxy.ProxyContext;
import dev.tandem.resilience.Guards;
import dev.tandem.traffic.Mirrors;
import dev.tandem.upstream.UpstreamPools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole client pipeline on an {@link EmbeddedChannel}: every answer Tandem gives on its own (no upstream
 * involved), byte for byte on the wire, with every message released.
 */
class ClientPipelineTest {
    private static final GatewayConfig CONFIG = ConfigLoader.parse("""
            tandem {
              limits { max-initial-line-length = 256, max-header-size = 512, max-request-body-size = 1k }
              backends { django { url = "http://127.0.0.1:9" } }
              routes = [ { name = admin, match { prefix = "/admin" }, backend = django } ]
            }
            """, Map.of());

    private static EmbeddedChannel channel() {
        UpstreamPools pools = new UpstreamPools(CONFIG.backends().values(), NioSocketChannel.class,
                UpstreamPools.ConnectObserver.NONE);
        ProxyContext proxy = new ProxyContext(CONFIG, pools, null, new Guards(CONFIG, null),
                new Mirrors(pools, null));
        return new EmbeddedChannel(new ClientChannelInitializer(proxy, CONFIG,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private static void send(EmbeddedChannel ch, String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    }

    @Test
    void anUnmatchedRequestGets404AndTheConnectionStaysForTheNextOne() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /nope HTTP/1.1\r\nHost: a\r\nX-Request-Id: r1\r\n\r\nGET /again HTTP/1.1\r\nHost: a\r\n\r\n");
        ch.runPendingTasks();

        String out = written(ch);

        assertThat(out).startsWith("HTTP/1.1 404 Not Found\r\n")
                .contains("{\"error\":\"not_found\",\"status\":404,\"message\":\"no route matches GET /nope\","
                        + "\"request_id\":\"r1\"}")
                .contains("no route matches GET /again");
        assertThat(ch.isActive()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "CL and TE|POST /admin HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
            "obs-fold|GET /admin HTTP/1.1\\r\\nHost: a\\r\\nX-A: b\\r\\n c\\r\\n\\r\\n|400",
            "long line|GET /admin/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|414",
            "large head|GET /admin HTTP/1.1\\r\\nHost: a\\r\\nX-Big: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\r\\n\\r\\n|431",
            "declared body too large|POST /admin HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5000\\r\\n\\r\\n|413",
    })
    void badRequestsAreAnsweredAndTheConnectionClosed(String name, String request, int status) {
        EmbeddedChannel ch = channel();
        send(ch, request.replace("\\r", "\r").replace("\\n", "\n"));
        ch.runPendingTasks();

        String out = written(ch);

        assertThat(out).startsWith("HTTP/1.1 " + status + " ").containsIgnoringCase("connection: close");
        assertThat(ch.isActive()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
