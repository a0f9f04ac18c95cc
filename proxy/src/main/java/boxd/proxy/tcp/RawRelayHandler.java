package boxd.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of one side of a byte relay (a TCP forward, or an HTTP connection after a 101 Switching Protocols):
 * bytes read here are relayed to {@code peer} under {@link BackpressureHandler}'s read-after-write rule; when either
 * side closes, the other is closed once what was written to it is flushed. Auto-read must be off on both channels; one
 * instance per channel.
 */
public final class RawRelayHandler extends BackpressureHandler {
    private final Channel peer;

    public RawRelayHandler(Channel peer) { this.peer = peer; }

    @Override
    protected Channel peer() { return peer; }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (peer.isActive()) {
                relay(buf);
            } else {
                buf.release();
            }
        } else {
            // leftovers of a removed HTTP codec (the empty last content after a 101): nothing to relay
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeOnFlush(ctx.channel());
    }

    private static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
