package boxd.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Base of the last handler of each relay direction ({@link RawRelayHandler}, and the HTTP relay's frontend and backend
 * handlers), with auto-read off: what one read batch produced is {@linkplain #relay relayed} to {@link #peer()},
 * flushed at read-complete, and this channel reads its next batch only once the last of those writes succeeded; a
 * failed write closes this channel. So at most one read batch per direction is ever held in memory, however fast one
 * side is and however slow the other. The first read is asked for when the channel becomes active (or at once, when
 * the handler is added to an active channel). One instance per channel; event-loop confined.
 */
public abstract class BackpressureHandler extends ChannelInboundHandlerAdapter {
    private ChannelFuture lastWrite;
    private boolean paused;

    /** {@return the channel this direction writes to, or null while there is none} */
    protected abstract Channel peer();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) ctx.read();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    /**
     * Ends a read batch: flushes the peer and reads the next batch once the writes are out, or at once when this batch
     * produced nothing to write.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readNextAfterWrites(ctx);
    }

    /** Writes {@code msg} to {@link #peer()} without flushing; the flush comes at read-complete. */
    protected final void relay(Object msg) {
        lastWrite = peer().write(msg);
    }

    /** Holds further reads until {@link #resumeReads} (while a backend connects, say). */
    protected final void pauseReads() { paused = true; }

    /** Ends a pause and reads on at once. */
    protected final void resumeReads(ChannelHandlerContext ctx) {
        paused = false;
        ctx.read();
    }

    /** Ends a pause: reads on once what was relayed meanwhile is out. */
    protected final void resumeReadsAfterWrites(ChannelHandlerContext ctx) {
        paused = false;
        readNextAfterWrites(ctx);
    }

    private void readNextAfterWrites(ChannelHandlerContext ctx) {
        if (paused) return;
        ChannelFuture f = lastWrite;
        lastWrite = null;
        if (f == null) {
            ctx.read();
            return;
        }
        Channel peer = peer();
        if (peer != null) peer.flush();
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                if (!paused) ctx.read();
            } else {
                ctx.channel().close();
            }
        });
    }
}
