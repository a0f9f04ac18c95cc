package boxd.proxy;

import boxd.common.Control;
import boxd.common.Role;
import boxd.proxy.http.ProxyInitializer;
import boxd.proxy.route.RouteTable;
import boxd.proxy.tcp.PortForwarders;
import boxd.proxy.tls.CertificateAuthority;
import boxd.proxy.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The proxy role: HTTP and HTTPS (SNI, h2 by ALPN) to each box's web port, the CA that signs its certificates, and the
 * TCP listeners for exposures and per-box SSH ports.
 *
 * <p>What it serves comes from a {@link RouteTable} rebuilt off the event loops whenever the control plane applies a
 * change ({@link Control#watch}), so a box that becomes running is served within one rebuild.
 */
public final class ProxyServer implements Role {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);
    // retry interval for forward ports that could not be bound, and safety-net refresh
    private static final long RETRY_SECONDS = 5;

    private final ProxyConfig config;
    private final Control control;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile RouteTable table;

    private Transport transport;
    private CertificateAuthority ca;
    private ExecutorService issuer;
    private ScheduledExecutorService refresher;
    private AutoCloseable watch;
    private Channel httpChannel;
    private Channel httpsChannel;
    private PortForwarders forwarders;
    private volatile int unboundForwards;
    private boolean closed;

    public ProxyServer(ProxyConfig config, Control control) {
        this.config = config;
        this.control = control;
        this.table = RouteTable.empty(config.zone());
    }

    @Override
    public String name() { return "proxy"; }

    @Override
    public synchronized void start() throws Exception {
        if (transport != null) throw new IllegalStateException("proxy already started");
        try {
            config.dataDir().create();
            ca = CertificateAuthority.loadOrCreate(config.dataDir().keys(), config.zone());
            issuer = Executors.newFixedThreadPool(1, daemon("proxy-cert-issuer"));
            TlsContexts tls = new TlsContexts(config.zone(), ca, config.operatorCertDir(), issuer);
            transport = Transport.create(0);
            refresher = Executors.newSingleThreadScheduledExecutor(daemon("proxy-refresh"));
            forwarders = new PortForwarders(transport, config.bindAddress(), config.dialOverride());

            // watch first, then build once on the refresh thread: no change can fall between the two, and builds
            // never race each other
            watch = control.watch(this::requestRefresh);
            refresher.submit(this::refresh).get(); // serve the current state from the first connection on
            refresher.scheduleWithFixedDelay(() -> {
                if (unboundForwards > 0) requestRefresh();
            }, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);

            Bootstrap backendTemplate = new Bootstrap()
                    .group(transport.workers())
                    .channel(transport.socketChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
            String caPem = ca.certificatePem();
            httpChannel = bind(config.httpPort(), new ProxyInitializer(() -> table, config.zone(), () -> caPem, null,
                    backendTemplate, config.dialOverride()), "HTTP");
            httpsChannel = bind(config.httpsPort(), new ProxyInitializer(() -> table, config.zone(), () -> caPem, tls,
                    backendTemplate, config.dialOverride()), "HTTPS");
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private Channel bind(int port, ProxyInitializer init, String what) {
        ChannelFuture f = new ServerBootstrap()
                .group(transport.boss(), transport.workers())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(init)
                .bind(config.bindAddress(), port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IllegalStateException("cannot listen for " + what + " on " + config.bindAddress() + ":" + port + ": "
                    + f.cause().getMessage() + " (free the port or choose another one in the proxy settings)", f.cause());
        }
        return f.channel();
    }

    /** Queues a rebuild of the route table (coalesced); safe from any thread, never blocks. */
    private void requestRefresh() {
        if (refreshQueued.compareAndSet(false, true)) {
            try {
                refresher.execute(() -> {
                    refreshQueued.set(false);
                    refresh();
                });
            } catch (RuntimeException rejected) {
                refreshQueued.set(false); // shutting down
            }
        }
    }

    private void refresh() {
        try {
            RouteTable t = RouteTable.build(config.zone(), control.allBoxes(), control.proxyRoutes(),
                    control.exposures(), config.portForwarders());
            table = t;
            if (config.portForwarders()) unboundForwards = forwarders.reconcile(inRange(t.forwards()));
        } catch (RuntimeException e) {
            log.warn("cannot rebuild proxy routes from the control plane: {}; retrying", e.getMessage());
            unboundForwards = Math.max(unboundForwards, 1); // make the timer retry
        }
    }

    private Map<Integer, RouteTable.Forward> inRange(Map<Integer, RouteTable.Forward> all) {
        Map<Integer, RouteTable.Forward> out = new HashMap<>();
        for (var f : all.values()) {
            ProxyConfig.PortRange range = f.kind().equals("ssh") ? config.sshPorts() : config.exposePorts();
            if (range.contains(f.publicPort())) {
                out.put(f.publicPort(), f);
            } else {
                log.debug("port {} for {} of {} is outside {}-{}; not opened", f.publicPort(), f.kind(), f.boxName(),
                        range.first(), range.last());
            }
        }
        return out;
    }

    /** {@return the bound plain HTTP port (useful with port 0)} */
    public int httpPort() { return port(httpChannel); }

    /** {@return the bound HTTPS port} */
    public int httpsPort() { return port(httpsChannel); }

    /** {@return the CA certificate (PEM) users download from /.well-known/boxd/ca.crt} */
    public String caCertificatePem() { return ca.certificatePem(); }

    /** {@return the TCP forward ports listened on now} */
    public Set<Integer> forwardedPorts() { return forwarders == null ? Set.of() : forwarders.openPorts(); }

    /** {@return the route table in use now} */
    public RouteTable routes() { return table; }

    private static int port(Channel ch) {
        return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
    }

    @Override
    public String describe() {
        return "proxy http " + config.bindAddress() + ":" + httpPort() + " https :" + httpsPort() + " zone " + config.zone()
                + " (" + (transport == null ? "stopped" : transport.kind()) + ", "
                + (config.operatorCertDir() != null ? "operator certificates + " : "") + "CA in " + config.dataDir().keys()
                + ", forwards " + (config.portForwarders() ? "on" : "off") + ")";
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                log.debug("closing the control watch: {}", e.toString());
            }
        }
        if (refresher != null) refresher.shutdownNow();
        if (issuer != null) issuer.shutdownNow();
        if (httpChannel != null) httpChannel.close().awaitUninterruptibly();
        if (httpsChannel != null) httpsChannel.close().awaitUninterruptibly();
        if (forwarders != null) forwarders.close();
        if (transport != null) transport.shutdown();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
