package dev.tandem.proxy;

import dev.tandem.internal.Channels;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Relays raw bytes one way after a protocol upgrade (WebSocket). One instance on each side, each writing to its
 * peer. Stop-and-wait: the next read happens when the previous write has been flushed, so a side that stops reading
 * stops the other side too.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    TunnelHandler(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf) || !peer.isActive()) {
            // Leftovers of the HTTP codec (an empty last content) or a peer already gone.
            ReferenceCountUtil.release(msg);
            if (!peer.isActive()) {
                ctx.close();
            } else {
                ctx.read();
            }
            return;
        }
        peer.writeAndFlush(msg).addListener(f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channels.closeOnFlush(peer);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
