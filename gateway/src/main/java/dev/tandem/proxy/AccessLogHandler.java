package dev.tandem.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per exchange to the {@code tandem.access} logger. The line is built by hand: it is on every
 * request, and the logger's appender is asynchronous, so the event loop never waits on the disk.
 */
@ChannelHandler.Sharable
public final class AccessLogHandler extends ChannelInboundHandlerAdapter {
    public static final AccessLogHandler INSTANCE = new AccessLogHandler();
    private static final Logger ACCESS = LoggerFactory.getLogger("tandem.access");

    private AccessLogHandler() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ExchangeCompleted done && ACCESS.isInfoEnabled()) {
            ACCESS.info(format(done));
        }
        ctx.fireUserEventTriggered(evt);
    }

    static String format(ExchangeCompleted done) {
        StringBuilder line = new StringBuilder(256);
        line.append("{\"ts\":\"").append(Instant.now()).append("\",\"request_id\":\"");
        ErrorResponses.appendEscaped(line, done.requestId());
        line.append("\",\"route\":");
        appendNullable(line, done.route());
        line.append(",\"backend\":");
        appendNullable(line, done.backend());
        line.append(",\"method\":\"");
        ErrorResponses.appendEscaped(line, done.method());
        line.append("\",\"path\":\"");
        ErrorResponses.appendEscaped(line, done.path());
        line.append("\",\"status\":").append(done.status())
                .append(",\"outcome\":\"").append(done.outcome().tag())
                .append("\",\"duration_ms\":").append(Math.round(done.durationNanos() / 1_000.0) / 1_000.0)
                .append(",\"bytes_in\":").append(done.bytesIn())
                .append(",\"bytes_out\":").append(done.bytesOut())
                .append('}');
        return line.toString();
    }

    private static void appendNullable(StringBuilder line, @Nullable String value) {
        if (value == null) {
            line.append("null");
        } else {
            line.append('"');
            ErrorResponses.appendEscaped(line, value);
            line.append('"');
        }
    }
}
