package boxd.proxy.tcp;

import boxd.proxy.Transport;
import boxd.proxy.route.RouteTable.Forward;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The TCP listeners of the proxy host: one per exposure ({@code publicPort} to {@code box:boxPort}) and one per box SSH
 * port ({@code sshPort} to {@code box:22}). {@link #reconcile} opens what is newly wanted, closes what is no longer
 * wanted and repoints the rest in place; a port that cannot be bound is logged and tried again at the next reconcile.
 * Called from one thread at a time (the proxy's refresh thread), never from an event loop: it waits for binds and
 * closes.
 */
public final class PortForwarders implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortForwarders.class);

    private final Transport transport;
    private final String bindAddress;
    private final UnaryOperator<InetSocketAddress> dialOverride;
    private final Map<Integer, Listener> listeners = new HashMap<>();
    private final Set<Integer> failedOnce = new HashSet<>();

    private record Listener(Channel server, AtomicReference<Forward> target) {}

    public PortForwarders(Transport transport, String bindAddress, UnaryOperator<InetSocketAddress> dialOverride) {
        this.transport = transport;
        this.bindAddress = bindAddress;
        this.dialOverride = dialOverride;
    }

    /** Makes the open listeners match {@code wanted}; returns how many ports are still not bound. */
    public synchronized int reconcile(Map<Integer, Forward> wanted) {
        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey()) || !e.getValue().server().isActive()) {
                // wait, so that the port is free again when this returns (a re-expose can bind it at once)
                e.getValue().server().close().awaitUninterruptibly();
                it.remove();
                log.info("closed forward on port {}", e.getKey());
            }
        }
        int unbound = 0;
        for (Forward f : wanted.values()) {
            Listener l = listeners.get(f.publicPort());
            if (l != null) {
                l.target().set(f);
                continue;
            }
            AtomicReference<Forward> target = new AtomicReference<>(f);
            ChannelFuture bound = new ServerBootstrap()
                    .group(transport.boss(), transport.workers())
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ForwardHandler(target.get()));
                        }
                    })
                    .bind(bindAddress, f.publicPort()).awaitUninterruptibly();
            if (bound.isSuccess()) {
                listeners.put(f.publicPort(), new Listener(bound.channel(), target));
                failedOnce.remove(f.publicPort());
                log.info("forwarding port {} to {} {}:{} ({})", f.publicPort(), f.boxName(), f.ipv4(), f.boxPort(), f.kind());
            } else {
                unbound++;
                // log once per port, not at every retry
                if (failedOnce.add(f.publicPort())) {
                    log.warn("cannot listen on {}:{} for {} of box {}: {}; will retry (free the port, or change the {} port range)",
                            bindAddress, f.publicPort(), f.kind(), f.boxName(), bound.cause().getMessage(), f.kind());
                }
            }
        }
        return unbound;
    }

    /** {@return the ports listened on now} */
    public synchronized Set<Integer> openPorts() { return Set.copyOf(listeners.keySet()); }

    @Override
    public synchronized void close() {
        for (Listener l : listeners.values()) l.server().close().awaitUninterruptibly();
        listeners.clear();
    }

    /** First handler of an accepted forward connection: dials the box, then hands both sides to {@link RawRelayHandler}. */
    private final class ForwardHandler extends ChannelInboundHandlerAdapter {
        private final Forward target;

        ForwardHandler(Forward target) { this.target = target; }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            InetSocketAddress addr = new InetSocketAddress(target.ipv4(), target.boxPort());
            if (dialOverride != null) addr = dialOverride.apply(addr);
            new Bootstrap().group(inbound.eventLoop()).channel(transport.socketChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(addr).addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            log.debug("forward to {} failed: {}", target, f.cause().getMessage());
                            inbound.close();
                            return;
                        }
                        Channel outbound = f.channel();
                        outbound.pipeline().replace(outbound.pipeline().first(), "relay", new RawRelayHandler(inbound));
                        inbound.pipeline().replace(ForwardHandler.this, "relay", new RawRelayHandler(outbound));
                        if (!inbound.isActive()) outbound.close();
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
