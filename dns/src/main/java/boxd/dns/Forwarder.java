package boxd.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * Forwards queries for names outside the zone to upstream resolvers and hands their replies back unchanged (same ID,
 * flags and records: RA is what the upstream set).
 *
 * <p>Upstreams are tried in order, each for at most {@link #TIMEOUT_MS}; the first reply wins. A UDP query goes out over
 * UDP from a fresh socket (a random source port per query; only a reply from that upstream with the query's ID is
 * taken), a TCP query over TCP. When no upstream answers, the client gets SERVFAIL.
 *
 * <p>Each forward runs on its own virtual thread, so the threads answering the zone never wait on an upstream. At most
 * {@link #MAX_IN_FLIGHT} forwards run at once: a UDP query beyond that is dropped (the client retries), a TCP query
 * beyond it gets SERVFAIL at once.
 */
final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    /** How long one upstream may take to answer (connect included, for TCP). */
    static final int TIMEOUT_MS = 2000;
    /** Forwards running at once, all clients together. */
    static final int MAX_IN_FLIGHT = 256;
    /** Largest reply read from an upstream: a UDP datagram or a TCP message can be at most this long. */
    private static final int MAX_REPLY = 65_535;

    private final List<InetSocketAddress> upstreams;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    final AtomicLong dropped = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    Forwarder(List<InetSocketAddress> upstreams) {
        if (upstreams.isEmpty()) throw new IllegalArgumentException("a forwarder needs at least one upstream");
        this.upstreams = List.copyOf(upstreams);
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /**
     * Forwards a UDP query in the background and calls {@code reply} with the upstream's reply, or SERVFAIL when none
     * answered. Returns at once; false when the query was dropped because too many forwards are running.
     *
     * @param query the query's bytes, exactly as received; the array is the forwarder's from now on
     */
    boolean forwardUdp(byte[] query, Consumer<byte[]> reply) {
        if (closed || !inFlight.tryAcquire()) {
            dropped.incrementAndGet();
            return false;
        }
        byte[] q = query;
        try {
            Thread.ofVirtual().name("dns-forward").start(() -> {
                try {
                    byte[] r = exchange(q, true);
                    if (!closed) reply.accept(r);
                } finally {
                    inFlight.release();
                }
            });
            return true;
        } catch (RuntimeException | OutOfMemoryError e) {
            inFlight.release();
            dropped.incrementAndGet();
            return false;
        }
    }

    /**
     * Forwards a TCP query on the calling thread (a TCP connection's own virtual thread) and returns the upstream's
     * reply, or SERVFAIL when none answered or too many forwards are running.
     */
    byte[] forwardTcp(byte[] query) {
        if (closed || !inFlight.tryAcquire()) {
            dropped.incrementAndGet();
            return servfail(query);
        }
        try {
            return exchange(query, false);
        } finally {
            inFlight.release();
        }
    }

    /** Asks each upstream in turn; {@return the first reply, or SERVFAIL} */
    private byte[] exchange(byte[] query, boolean udp) {
        for (InetSocketAddress upstream : upstreams) {
            if (closed) break;
            try {
                byte[] r = udp ? overUdp(query, upstream) : overTcp(query, upstream);
                if (r != null) return r;
            } catch (SocketTimeoutException e) {
                log.debug("forward: {} did not answer within {} ms", upstream, TIMEOUT_MS);
            } catch (IOException | RuntimeException e) {
                log.debug("forward: {}: {}", upstream, e.toString());
            }
        }
        failed.incrementAndGet();
        return servfail(query);
    }

    private byte[] overUdp(byte[] query, InetSocketAddress upstream) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            open.add(s);
            try {
                s.connect(upstream); // only datagrams from the upstream are received
                s.send(new DatagramPacket(query, query.length));
                long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
                byte[] buf = new byte[MAX_REPLY];
                while (true) {
                    int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                    if (left <= 0) throw new SocketTimeoutException("no reply");
                    s.setSoTimeout(left);
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    // Take only a reply to this query: same ID, QR set. Anything else is ignored (a late or forged one).
                    if (p.getLength() >= Header.LENGTH && buf[0] == query[0] && buf[1] == query[1] && (buf[2] & 0x80) != 0)
                        return Arrays.copyOf(buf, p.getLength());
                }
            } finally {
                open.remove(s);
            }
        }
    }

    private byte[] overTcp(byte[] query, InetSocketAddress upstream) throws IOException {
        try (Socket s = new Socket()) {
            open.add(s);
            try {
                s.connect(upstream, TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                byte[] framed = new byte[query.length + 2];
                framed[0] = (byte) (query.length >>> 8);
                framed[1] = (byte) query.length;
                System.arraycopy(query, 0, framed, 2, query.length);
                out.write(framed);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int length = in.readUnsignedShort();
                if (length < Header.LENGTH) return null;
                byte[] reply = new byte[length];
                in.readFully(reply);
                if (reply[0] != query[0] || reply[1] != query[1] || (reply[2] & 0x80) == 0) return null;
                return reply;
            } finally {
                open.remove(s);
            }
        }
    }

    /** {@return SERVFAIL for {@code query}: its ID, question, RD and CD, and an OPT record when it had one} */
    static byte[] servfail(byte[] query) {
        try {
            Message q = new Message(query);
            Message r = new Message(q.getHeader().getID());
            Header h = r.getHeader();
            h.setFlag(Flags.QR);
            h.setOpcode(q.getHeader().getOpcode());
            if (q.getHeader().getFlag(Flags.RD)) {
                h.setFlag(Flags.RD);
                h.setFlag(Flags.RA);
            }
            if (q.getHeader().getFlag(Flags.CD)) h.setFlag(Flags.CD);
            h.setRcode(Rcode.SERVFAIL);
            if (q.getQuestion() != null) r.addRecord(q.getQuestion(), Section.QUESTION);
            if (q.getOPT() != null) r.addRecord(new OPTRecord(ZoneAnswerer.MAX_UDP_REPLY, 0, 0), Section.ADDITIONAL);
            return r.toWire(ZoneAnswerer.CLASSIC_UDP_REPLY);
        } catch (IOException | RuntimeException e) {
            // Not expected (the query was parsed before it was forwarded): a bare header with the ID.
            byte[] h = new byte[Header.LENGTH];
            h[0] = query[0];
            h[1] = query[1];
            h[2] = (byte) 0x80;
            h[3] = (byte) Rcode.SERVFAIL;
            return h;
        }
    }

    int inFlight() {
        return MAX_IN_FLIGHT - inFlight.availablePermits();
    }

    /** Stops forwarding: new queries are dropped and those waiting on an upstream end now, without a reply. */
    @Override
    public void close() {
        closed = true;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing left to do with it
            }
        }
    }
}
