package boxd.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * One direction of a relay with auto-read off: what one read batch produced is written to the peer, flushed at
 * read-complete, and the source reads its next batch only once the last of those writes succeeded. So at most one read
 * batch per direction is ever held in memory, however fast one side is and however slow the other.
 * One instance per direction per connection; event-loop confined.
 */
public final class Backpressure {
    private ChannelFuture lastWrite;
    private boolean paused;

    /** Writes {@code msg} to {@code peer} without flushing. */
    public void write(Channel peer, Object msg) {
        lastWrite = peer.write(msg);
    }

    /** {@return whether a write of this batch is still unflushed} */
    public boolean hasPending() { return lastWrite != null; }

    /** Holds further reads until {@link #resume} (while a backend connects, say). */
    public void pause() { paused = true; }

    public void resume(ChannelHandlerContext source) {
        paused = false;
        source.read();
    }

    /** Ends a pause: reads on once what was written meanwhile is out. */
    public void resumeAfterWrites(ChannelHandlerContext source, Channel peer) {
        paused = false;
        readComplete(source, peer);
    }

    /**
     * Ends a read batch: flushes the peer and reads the next batch once the writes are out, or at once when this batch
     * produced nothing to write. A failed write closes the source.
     */
    public void readComplete(ChannelHandlerContext source, Channel peer) {
        if (paused) return;
        ChannelFuture f = lastWrite;
        lastWrite = null;
        if (f == null) {
            source.read();
            return;
        }
        if (peer != null) peer.flush();
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                if (!paused) source.read();
            } else {
                source.channel().close();
            }
        });
    }
}
