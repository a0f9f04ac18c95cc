package boxd.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DNS over UDP: one thread per socket when the server opened a SO_REUSEPORT group (the kernel spreads
 * clients over the sockets, no thread waits for another), else several threads taking turns on one socket. Replies
 * go through a {@link ReplyCache} (a repeated query is not parsed again). A query for a name outside the zone goes to
 * the {@link Forwarder} when there is one, which sends the reply from its own thread. A packet
 * that is over-long, rate-limited or malformed gets no reply; nothing a packet holds can end a thread, only closing
 * the socket does.
 */
final class UdpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);

    private final List<DatagramChannel> channels;
    private final ReplyCache cache;
    private final Supplier<ZoneView> view;
    private final SourceRateLimiter limiter; // null: no limit
    private final ZoneAnswerer answerer;
    private final Forwarder forwarder; // null: names outside the zone are answered REFUSED
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    final AtomicLong dropped = new AtomicLong();
    final AtomicLong limited = new AtomicLong();

    UdpListener(List<DatagramChannel> channels, ZoneAnswerer answerer, Supplier<ZoneView> view, SourceRateLimiter limiter,
                Forwarder forwarder) {
        this.channels = List.copyOf(channels);
        this.answerer = answerer;
        this.forwarder = forwarder;
        this.cache = new ReplyCache(answerer, 10_000);
        this.view = view;
        this.limiter = limiter;
    }

    void start(int threadCount, String name) {
        for (int i = 0; i < threadCount; i++) {
            DatagramChannel channel = channels.get(i % channels.size());
            Thread t = new Thread(() -> serve(channel), name + "-udp-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void serve(DatagramChannel channel) {
        // One byte more than the largest query we accept, so an over-long datagram is recognised and dropped.
        byte[] buf = new byte[ZoneAnswerer.MAX_QUERY + 1];
        ByteBuffer in = ByteBuffer.wrap(buf);
        while (!closed) {
            try {
                in.clear();
                SocketAddress from = channel.receive(in);
                if (from == null) continue;
                int length = in.position();
                if (length > ZoneAnswerer.MAX_QUERY) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (limiter != null && from instanceof InetSocketAddress isa && !limiter.tryAcquire(isa.getAddress())) {
                    limited.incrementAndGet();
                    continue;
                }
                byte[] reply = cache.answerUdp(buf, length, view.get());
                if (reply == null) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (forwarder != null && answerer.isForwardable(buf, length, reply)) {
                    // Answered later from a forwarding thread; this thread goes back to the zone at once.
                    forwarder.forwardUdp(Arrays.copyOf(buf, length), r -> sendQuietly(channel, r, from));
                    continue;
                }
                channel.send(ByteBuffer.wrap(reply), from);
            } catch (ClosedChannelException e) {
                return; // close() was called (AsynchronousCloseException is one of these)
            } catch (IOException e) {
                if (closed) return;
                log.debug("udp: {}", e.toString()); // e.g. a send to a vanished client; keep serving
            } catch (RuntimeException | StackOverflowError e) {
                dropped.incrementAndGet();
                log.debug("udp: dropped a packet that failed: {}", e.toString());
            }
        }
    }

    private void sendQuietly(DatagramChannel channel, byte[] reply, SocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(reply), to);
        } catch (IOException e) {
            if (!closed) log.debug("udp: forwarded reply to {}: {}", to, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (DatagramChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("udp: close: {}", e.toString());
            }
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
