package boxd.proxy.http;

import boxd.proxy.route.RouteTable;
import boxd.proxy.tcp.BackpressureHandler;
import boxd.proxy.tcp.RawRelayHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.function.UnaryOperator;

/**
 * Last handler of the client side (HTTP/1.1 connection or HTTP/2 stream), after {@link HostRouteHandler}: keeps one
 * HTTP/1.1 connection to the routed box (dialed on this channel's event loop, auto-read off, reused while the host
 * stays the same), sends each request and its body chunks there under {@link BackpressureHandler}'s rule, and answers
 * 502 when the box cannot be reached. Responses come back through {@link RelayBackendHandler}. After a WebSocket 101
 * both sides become a raw byte relay. Auto-read is off on this channel: it reads the next batch only when the last one
 * was written.
 */
public final class RelayFrontendHandler extends BackpressureHandler {
    private static final Logger log = LoggerFactory.getLogger(RelayFrontendHandler.class);

    private final Bootstrap backendTemplate;
    private final UnaryOperator<InetSocketAddress> dialOverride;
    private final String scheme;
    private final boolean http2;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(); // written once the backend is connected

    private ChannelHandlerContext ctx;
    private Channel backend;
    private InetSocketAddress backendAddress;
    private RouteTable.Found backendTarget;
    private boolean connecting;
    private boolean discarding; // the current request was answered with a 502: drop its body
    private int inflight;       // requests sent whose response has not ended
    private String clientIp;

    /**
     * @param backendTemplate a bootstrap with the transport's socket channel class; cloned onto this event loop
     * @param scheme          "http" or "https", for X-Forwarded-Proto
     * @param http2           whether this channel is an HTTP/2 stream
     */
    public RelayFrontendHandler(Bootstrap backendTemplate, UnaryOperator<InetSocketAddress> dialOverride, String scheme,
                                boolean http2) {
        this.backendTemplate = backendTemplate;
        this.dialOverride = dialOverride;
        this.scheme = scheme;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected Channel peer() { return backend; }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RoutedRequest rr) {
            onRequest(rr);
        } else if (msg instanceof HttpContent c) {
            onContent(c);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(RoutedRequest rr) {
        HttpRequest req = rr.request();
        ForwardedHeaders.toBackend(req, clientIp(), scheme, http2);
        inflight++;
        InetSocketAddress addr = new InetSocketAddress(rr.target().ipv4(), rr.target().port());
        if (dialOverride != null) addr = dialOverride.apply(addr);
        if (connecting && addr.equals(backendAddress)) {
            pending.add(req);
            return;
        }
        if (backend != null && backend.isActive() && addr.equals(backendAddress)) {
            relay(req);
            return;
        }
        if (backend != null) {
            // another box on this keep-alive connection: let the old backend go
            detachBackend();
        }
        connect(addr, rr.target(), req);
    }

    private void onContent(HttpContent c) {
        if (discarding) {
            if (c instanceof LastHttpContent) discarding = false;
            c.release();
        } else if (connecting) {
            pending.add(c);
        } else if (backend != null && backend.isActive()) {
            relay(c);
        } else {
            c.release();
        }
    }

    private void connect(InetSocketAddress addr, RouteTable.Found target, HttpRequest first) {
        connecting = true;
        backendAddress = addr;
        backendTarget = target;
        pending.add(first);
        pauseReads();
        Channel front = ctx.channel();
        RelayFrontendHandler self = this;
        Bootstrap b = backendTemplate.clone(front.eventLoop()).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                // the box's headers are passed on, not interpreted: no per-header validation
                ch.pipeline().addLast("http", new HttpClientCodec(8192, 16384, 16384, false, false));
                ch.pipeline().addLast("relay", new RelayBackendHandler(front, self));
            }
        });
        b.connect(addr).addListener((ChannelFutureListener) f -> {
            if (!front.isActive()) {
                f.channel().close();
                releasePending();
                return;
            }
            if (backendAddress != addr) { // superseded while connecting
                f.channel().close();
                return;
            }
            connecting = false;
            if (!f.isSuccess()) {
                log.debug("cannot reach {} at {}: {}", target.boxName(), addr, f.cause().toString());
                failPending(ErrorPages.unreachable(first.protocolVersion(), target.boxName(), target.ipv4(),
                        target.port(), reason(f.cause())));
                resumeReads(ctx);
                return;
            }
            backend = f.channel();
            while (!pending.isEmpty()) relay(pending.poll());
            resumeReadsAfterWrites(ctx);
        });
    }

    /** The connect failed: answer the first pending request, drop the rest of its body. */
    private void failPending(FullHttpResponse page) {
        boolean sawLast = false;
        HttpRequest req = null;
        while (!pending.isEmpty()) {
            Object m = pending.poll();
            if (m instanceof HttpRequest r && req == null) req = r;
            if (m instanceof LastHttpContent) sawLast = true;
            ReferenceCountUtil.release(m);
        }
        inflight = 0;
        discarding = !sawLast;
        backendAddress = null;
        backendTarget = null;
        respond(page, req == null || HttpUtil.isKeepAlive(req));
    }

    private void respond(FullHttpResponse page, boolean keepAlive) {
        HttpUtil.setKeepAlive(page, keepAlive);
        var f = ctx.writeAndFlush(page);
        if (!keepAlive && !http2) f.addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        if (backend != null) backend.close();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection failed: {}", cause.toString());
        ctx.close();
    }

    // ---- called by RelayBackendHandler, on this event loop ----

    /** A response ended (its last content was written to the client). */
    void responseEnded() {
        if (inflight > 0) inflight--;
    }

    /** The backend closed; {@code midResponse} when it stopped inside a response. */
    void backendClosed(Channel ch, boolean midResponse) {
        if (ch != backend) return;
        backend = null;
        backendAddress = null;
        if (midResponse) {
            // the client got part of a response: only closing tells it the rest is missing
            ctx.channel().close();
        } else if (inflight > 0) {
            inflight = 0;
            RouteTable.Found t = backendTarget;
            respond(ErrorPages.backendClosed(HttpVersion.HTTP_1_1, t == null ? "?" : t.boxName()), false);
            if (http2) ctx.channel().close();
        }
    }

    /** The box answered 101 Switching Protocols: write it, then relay raw bytes both ways. */
    void switchToRaw(Channel backendCh, HttpResponse switching) {
        Channel front = ctx.channel();
        ChannelPipeline fp = front.pipeline();
        front.writeAndFlush(switching);
        fp.addLast("raw", new RawRelayHandler(backendCh));
        for (String name : new String[]{"relay", "route", "keepalive", "http"}) {
            if (fp.get(name) != null) fp.remove(name);
        }
        ChannelPipeline bp = backendCh.pipeline();
        bp.addLast("raw", new RawRelayHandler(front));
        bp.remove("relay");
        bp.remove("http");
        backendCh.read();
    }

    private void detachBackend() {
        Channel old = backend;
        backend = null;
        backendAddress = null;
        old.close();
    }

    private void releasePending() {
        while (!pending.isEmpty()) ReferenceCountUtil.release(pending.poll());
    }

    private String clientIp() {
        if (clientIp == null) clientIp = lookUpClientIp();
        return clientIp;
    }

    private String lookUpClientIp() {
        Channel ch = ctx.channel();
        SocketAddress a = ch instanceof io.netty.handler.codec.http2.Http2StreamChannel ? ch.parent().remoteAddress() : ch.remoteAddress();
        if (a instanceof InetSocketAddress isa) return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
        return "unknown";
    }

    private static String reason(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.net.ConnectException || (m != null && m.contains("refused"))) return "connection refused";
        if (t instanceof io.netty.channel.ConnectTimeoutException) return "no answer within 5 seconds";
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
