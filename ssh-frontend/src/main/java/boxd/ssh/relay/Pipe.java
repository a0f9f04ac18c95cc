package boxd.ssh.relay;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One direction of a forwarded connection: bytes that arrived on the {@code source} channel are written, in order and
 * one asynchronous write at a time, to {@code out} (the other channel's data stream). The source's window is given back
 * only once its bytes were written, so a slow reader on one side holds the sender on the other side back through SSH
 * flow control, never a thread; the queue holds at most one window's worth. {@link #eof} is passed on after the queued
 * bytes, {@link #finish} also closes the target afterwards.
 */
final class Pipe implements BoxTunnel.Sink {
    private static final Logger log = LoggerFactory.getLogger(Pipe.class);

    /** Sends an end-of-file on the target channel. */
    interface Eof {
        void send() throws IOException;
    }

    private final String name;
    private final Channel source;
    private final Channel target;
    private final Eof eof;
    private IoOutputStream out;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean eofQueued;
    private boolean eofSent;
    private boolean finishing;
    private boolean done;

    /** @param out where the bytes go; null keeps the pipe paused until {@link #start} */
    Pipe(String name, Channel source, Channel target, IoOutputStream out, Eof eof) {
        this.name = name;
        this.source = source;
        this.target = target;
        this.out = out;
        this.eof = eof;
    }

    /** Lets the bytes flow (the target channel is open now). */
    void start(IoOutputStream out) {
        synchronized (this) {
            this.out = out;
        }
        pump();
    }

    @Override
    public void data(byte[] b, int off, long len) {
        byte[] copy = Arrays.copyOfRange(b, off, off + Math.toIntExact(len));
        synchronized (this) {
            if (eofQueued || done) return; // nothing may follow an EOF; after an abort the bytes have nowhere to go
            queue.add(copy);
        }
        pump();
    }

    @Override
    public void eof() {
        synchronized (this) {
            eofQueued = true;
        }
        pump();
    }

    /** The source is gone: write what is queued, send EOF, then close the target gracefully. */
    void finish() {
        synchronized (this) {
            eofQueued = true;
            finishing = true;
        }
        pump();
    }

    /** Drops what is queued and closes both channels at once. */
    void abort(Throwable why) {
        synchronized (this) {
            done = true;
            queue.clear();
        }
        log.debug("{}: closing both sides: {}", name, why == null ? "aborted" : why.toString());
        source.close(true);
        target.close(true);
    }

    private void pump() {
        byte[] next;
        IoOutputStream o;
        boolean sendEof = false;
        boolean close = false;
        synchronized (this) {
            if (out == null || writing || done) return;
            o = out;
            next = queue.poll();
            if (next != null) {
                writing = true;
            } else {
                if (eofQueued && !eofSent) {
                    eofSent = true;
                    sendEof = true;
                }
                if (finishing) {
                    done = true;
                    close = true;
                }
            }
        }
        if (next != null) {
            IoWriteFuture w;
            try {
                w = o.writeBuffer(new ByteArrayBuffer(next));
            } catch (IOException | RuntimeException e) {
                abort(e);
                return;
            }
            int n = next.length;
            w.addListener(f -> {
                if (!f.isWritten()) {
                    abort(f.getException());
                    return;
                }
                release(n);
                synchronized (this) {
                    writing = false;
                }
                pump();
            });
            return;
        }
        if (sendEof && !target.isClosing()) {
            try {
                eof.send();
            } catch (IOException | RuntimeException e) {
                log.debug("{}: EOF not sent: {}", name, e.toString());
            }
        }
        if (close) target.close(false);
    }

    /** Gives the source's sender room for {@code n} more bytes. */
    private void release(int n) {
        if (source.isClosing() || !source.isOpen()) return;
        try {
            source.getLocalWindow().release(n);
        } catch (IOException | RuntimeException e) {
            log.debug("{}: window not adjusted: {}", name, e.toString());
        }
    }
}
