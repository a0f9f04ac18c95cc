package boxd.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of one side of a byte relay (a TCP forward, or an HTTP connection after a 101 Switching Protocols):
 * bytes read here are written to {@code peer} with {@link Backpressure}; when either side closes, the other is closed
 * once what was written to it is flushed. Auto-read must be off on both channels; one instance per channel.
 */
public final class RawRelayHandler extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final Backpressure flow = new Backpressure();

    public RawRelayHandler(Channel peer) { this.peer = peer; }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) ctx.read();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (peer.isActive()) {
                flow.write(peer, buf);
            } else {
                buf.release();
            }
        } else {
            // leftovers of a removed HTTP codec (the empty last content after a 101): nothing to relay
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flow.readComplete(ctx, peer);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeOnFlush(ctx.channel());
    }

    public static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
