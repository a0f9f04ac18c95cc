package boxd.dns;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import boxd.common.Control;
import boxd.common.Role;

/**
 * The authoritative DNS role: UDP and TCP listeners on one port answering {@code NAME.ZONE} and {@code *.NAME.ZONE}
 * from an in-memory {@link ZoneView}.
 *
 * <p>Names outside the zone are answered REFUSED, unless the config lists upstream resolvers
 * ({@link DnsConfig#withUpstreams}): then such a query is forwarded as received (UDP over UDP, TCP over TCP) to the
 * first upstream that answers within 2 seconds, and its reply goes back unchanged (same ID; RA as the upstream set it);
 * when none answers the client gets SERVFAIL. This is how serve's box-facing resolver on the bridge gateway gives boxes
 * both the zone and the outside world. Forwards run on their own virtual threads, never on the threads answering the
 * zone, at most 256 at once (a UDP query beyond that is dropped, a TCP one gets SERVFAIL). An upstream that is this
 * server itself (its bind address and port, or a local address on its port when bound to the wildcard) is skipped.
 *
 * <p>The view is rebuilt by one refresher thread: {@link Control#watch} only wakes it (the listener must not block),
 * it reads {@link Control#allBoxes()} from the local replica and swaps the new view in, so a change is answered a few
 * milliseconds after it is applied and a lookup never waits. Bursts of changes collapse into one rebuild; a rebuild
 * also runs every {@link #PERIODIC_REFRESH_MS} as a safety net, and a failed one is retried.
 */
public final class DnsServer implements Role {
    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    static final long PERIODIC_REFRESH_MS = 30_000;
    private static final long RETRY_MS = 200;

    private final DnsConfig config;
    private final Control control;
    private final ZoneAnswerer answerer;
    private final Semaphore changed = new Semaphore(0);
    private volatile ZoneView view = ZoneView.EMPTY;
    private volatile boolean closed;
    private AutoCloseable watch;
    private Thread refresher;
    private UdpListener udp;
    private TcpListener tcp;
    private volatile Forwarder forwarder;
    private int boundPort;

    public DnsServer(DnsConfig config, Control control) {
        this.config = config;
        this.control = control;
        this.answerer = ZoneAnswerer.from(config);
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public synchronized void start() throws Exception {
        if (closed) throw new IllegalStateException("dns: cannot start a server that was closed; create a new one");
        if (udp != null) return;
        try {
            // Watch before the first read, so no change applied in between is missed.
            watch = control.watch(changed::release);
            view = load();
            bind();
            refresher = new Thread(this::refreshLoop, "dns-refresh");
            refresher.setDaemon(true);
            refresher.start();
            log.debug("{}", describe());
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void bind() throws IOException {
        var family = config.bindAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        // Port 0: the kernel picks the UDP port and TCP takes the same; retry if another process holds it on TCP.
        int attempts = config.port() == 0 ? 10 : 1;
        for (int i = 1; ; i++) {
            List<DatagramChannel> channels = new ArrayList<>();
            ServerSocket ss = null;
            try {
                boolean reusePort = config.udpThreads() > 1 && reusePortSupported(family);
                DatagramChannel first = openUdp(family, reusePort);
                channels.add(first);
                first.bind(new InetSocketAddress(config.bindAddress(), config.port()));
                int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
                // TCP binds exclusively: a second server on this port fails here even though SO_REUSEPORT let its
                // UDP socket in, so two servers never split one port's queries.
                ss = new ServerSocket();
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(config.bindAddress(), port), 128);
                if (reusePort) {
                    for (int t = 1; t < config.udpThreads(); t++) {
                        DatagramChannel more = openUdp(family, true);
                        channels.add(more);
                        more.bind(new InetSocketAddress(config.bindAddress(), port));
                    }
                }
                boundPort = port;
                List<InetSocketAddress> upstreams = notSelf(config.upstreams(), port);
                forwarder = upstreams.isEmpty() ? null : new Forwarder(upstreams);
                SourceRateLimiter limiter = config.rateLimitPerSecond() > 0
                        ? new SourceRateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), 100_000, System::nanoTime)
                        : null;
                udp = new UdpListener(channels, answerer, this::view, limiter, forwarder);
                tcp = new TcpListener(ss, answerer, this::view, config.maxTcpConnections(), forwarder);
                udp.start(config.udpThreads(), "dns");
                tcp.start("dns");
                return;
            } catch (IOException e) {
                for (DatagramChannel dc : channels) dc.close();
                if (ss != null) ss.close();
                if (i < attempts && e instanceof BindException) continue;
                throw new IOException("dns: cannot listen on " + config.bindAddress().getHostAddress() + ":"
                        + config.port() + " (udp and tcp): " + e.getMessage()
                        + "; choose another port with --dns-port or stop what holds it", e);
            }
        }
    }

    /** {@return {@code upstreams} without this server itself (a forward to ourselves would loop)} */
    private List<InetSocketAddress> notSelf(List<InetSocketAddress> upstreams, int port) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress u : upstreams) {
            if (isSelf(u, config.bindAddress(), port)) {
                log.warn("dns: not forwarding to {}:{}: that is this server itself", u.getAddress().getHostAddress(), u.getPort());
            } else {
                out.add(u);
            }
        }
        return out;
    }

    static boolean isSelf(InetSocketAddress upstream, InetAddress bind, int port) {
        if (upstream.getPort() != port) return false;
        InetAddress a = upstream.getAddress();
        if (a.equals(bind)) return true;
        if (!bind.isAnyLocalAddress()) return false;
        if (a.isAnyLocalAddress() || a.isLoopbackAddress()) return true;
        try {
            return NetworkInterface.getByInetAddress(a) != null; // one of this host's addresses, which the wildcard covers
        } catch (IOException e) {
            return false;
        }
    }

    private DatagramChannel openUdp(StandardProtocolFamily family, boolean reusePort) throws IOException {
        DatagramChannel dc = DatagramChannel.open(family);
        try {
            if (reusePort) dc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            // Room for bursts while a thread is busy (the kernel caps it at net.core.rmem_max).
            dc.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            return dc;
        } catch (IOException | RuntimeException e) {
            dc.close();
            throw e;
        }
    }

    private static boolean reusePortSupported(StandardProtocolFamily family) {
        try (DatagramChannel probe = DatagramChannel.open(family)) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    private ZoneView load() {
        long serial = control.appliedIndex();
        return ZoneView.of(control.allBoxes(), serial);
    }

    private void refreshLoop() {
        boolean failing = false; // warn once per outage, not on every retry
        while (!closed) {
            try {
                changed.tryAcquire(PERIODIC_REFRESH_MS, TimeUnit.MILLISECONDS);
                changed.drainPermits(); // one rebuild covers every change signalled so far
                if (closed) return;
                view = load();
                if (failing) log.info("dns: reading the replica works again; answers are current");
                failing = false;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    log.warn("dns: cannot read the boxes from the replica, keeping the previous answers and retrying: {}",
                            e.getMessage());
                }
                failing = true;
                changed.release(); // retry soon
                try {
                    Thread.sleep(RETRY_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** {@return the names currently answered} */
    public ZoneView view() {
        return view;
    }

    /** {@return the port the listeners are bound to (the chosen one when configured as 0)} */
    public int port() {
        return boundPort;
    }

    public DnsConfig config() {
        return config;
    }

    @Override
    public String describe() {
        String answers = config.answerMode() == DnsConfig.AnswerMode.PROXY_ADDRESS
                ? "the proxy address " + config.proxyAddress().getHostAddress()
                : "box addresses";
        return "dns: zone " + config.zone() + " on " + config.bindAddress().getHostAddress() + ":"
                + (boundPort != 0 ? boundPort : config.port()) + " udp+tcp, answering " + answers + ", ttl "
                + config.ttlSeconds() + "s, " + view.size() + " names, " + otherNames();
    }

    /** {@return the resolvers names outside the zone go to: once started, those in use (this server left out)} */
    public List<InetSocketAddress> upstreams() {
        Forwarder f = forwarder;
        return f != null ? f.upstreams() : udp == null ? config.upstreams() : List.of();
    }

    private String otherNames() {
        List<InetSocketAddress> ups = upstreams();
        if (ups.isEmpty()) return "other names refused";
        StringBuilder sb = new StringBuilder("other names forwarded to ");
        for (int i = 0; i < ups.size(); i++) {
            if (i > 0) sb.append(", ");
            InetSocketAddress u = ups.get(i);
            String host = u.getAddress().getHostAddress();
            sb.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(u.getPort());
        }
        return sb.toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                log.debug("dns: closing the watch: {}", e.toString());
            }
            watch = null;
        }
        if (refresher != null) {
            refresher.interrupt();
            try {
                refresher.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            refresher = null;
        }
        if (forwarder != null) forwarder.close();
        if (udp != null) udp.close();
        if (tcp != null) tcp.close();
    }

    // ---- counters, for tests and the benchmark ----

    long udpDropped() {
        return udp == null ? 0 : udp.dropped.get();
    }

    int tcpOpenConnections() {
        return tcp == null ? 0 : tcp.openConnections();
    }

    /** {@return forwards that got no upstream reply (answered SERVFAIL), or 0 without upstreams} */
    long forwardsFailed() {
        return forwarder == null ? 0 : forwarder.failed.get();
    }

    long udpRateLimited() {
        return udp == null ? 0 : udp.limited.get();
    }
}
