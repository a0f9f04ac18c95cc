package boxd.dns;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DNS over TCP: each message carries a 2-byte big-endian length (RFC 1035 4.2.2, RFC 7766), several queries
 * may follow on one connection. One virtual thread per connection; connections are bounded in number (all sources
 * and per source) and closed after {@link #IDLE_TIMEOUT_MS} without a query, on a malformed or over-long query, or
 * when the server closes. A query for a name outside the zone goes to the {@link Forwarder} when there is one, over
 * TCP, on the connection's thread.
 */
final class TcpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);
    /** RFC 7766 suggests seconds, not minutes: an idle connection only holds a slot. */
    static final int IDLE_TIMEOUT_MS = 10_000;

    private final ServerSocket server;
    private final ZoneAnswerer answerer;
    private final Supplier<ZoneView> view;
    private final Forwarder forwarder; // null: names outside the zone are answered REFUSED
    private final Semaphore slots;
    private final int perSource;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> bySource = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private Thread acceptor;
    private volatile boolean closed;

    TcpListener(ServerSocket server, ZoneAnswerer answerer, Supplier<ZoneView> view, int maxConnections, Forwarder forwarder) {
        this.server = server;
        this.forwarder = forwarder;
        this.answerer = answerer;
        this.view = view;
        this.slots = new Semaphore(maxConnections);
        // One source may hold a quarter of the slots, so a single client cannot lock the others out.
        this.perSource = Math.max(1, maxConnections / 4);
    }

    void start(String name) {
        acceptor = new Thread(this::acceptLoop, name + "-tcp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed) return;
                log.debug("tcp: accept: {}", e.toString());
                continue;
            }
            InetAddress source = socket.getInetAddress();
            AtomicInteger count = bySource.computeIfAbsent(source, s -> new AtomicInteger());
            if (count.incrementAndGet() > perSource || !slots.tryAcquire()) {
                release(source, count, false);
                closeQuietly(socket);
                continue;
            }
            open.add(socket);
            try {
                Thread.ofVirtual().name("dns-tcp-conn").start(() -> {
                    try {
                        serve(socket);
                    } finally {
                        open.remove(socket);
                        closeQuietly(socket);
                        release(source, count, true);
                    }
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                open.remove(socket);
                closeQuietly(socket);
                release(source, count, true);
            }
        }
    }

    private void release(InetAddress source, AtomicInteger count, boolean slot) {
        if (slot) slots.release();
        if (count.decrementAndGet() <= 0) bySource.remove(source, count);
    }

    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(IDLE_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 4096));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4096);
            byte[] buf = new byte[ZoneAnswerer.MAX_QUERY];
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return; // the client is done
                }
                if (length > ZoneAnswerer.MAX_QUERY) return; // not a query we would answer: drop the connection
                in.readFully(buf, 0, length);
                byte[] reply = answerer.answerWire(buf, length, view.get(), false);
                if (reply == null) return; // malformed: the stream cannot be trusted any further
                if (forwarder != null && answerer.isForwardable(buf, length, reply)) {
                    reply = forwarder.forwardTcp(java.util.Arrays.copyOf(buf, length)); // this connection's own thread
                }
                out.write(reply.length >>> 8);
                out.write(reply.length & 0xFF);
                out.write(reply);
                out.flush();
            }
        } catch (SocketTimeoutException e) {
            log.debug("tcp: idle connection from {} closed", socket.getInetAddress());
        } catch (IOException e) {
            log.debug("tcp: {}", e.toString());
        } catch (RuntimeException | StackOverflowError e) {
            log.debug("tcp: connection dropped after a failure: {}", e.toString());
        }
    }

    int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : open) closeQuietly(s);
        if (acceptor != null) {
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to do with it
        }
    }
}
