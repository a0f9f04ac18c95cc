package boxd.proxy.http;

import boxd.proxy.route.RouteTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;

import java.net.InetSocketAddress;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Assembles client pipelines and does nothing else. Every connection starts with
 * {@code IdleStateHandler -> IdleCloseHandler}. Plain HTTP:
 * {@code HttpServerCodec -> HttpServerKeepAliveHandler -> HostRouteHandler -> RelayFrontendHandler}. HTTPS:
 * {@code SniHandler (certificate by SNI name) -> AlpnPipelineHandler}, which then adds the HTTP/1.1 handlers above,
 * or for h2 {@code Http2FrameCodec -> Http2MultiplexHandler} with, per stream,
 * {@code Http2StreamFrameToHttpObjectCodec -> HostRouteHandler -> RelayFrontendHandler}.
 * Shared by all connections of one listener (it holds no per-connection state).
 */
public final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
    private final Supplier<RouteTable> routes;
    private final String zone;
    private final Supplier<String> caPem;
    private final AsyncMapping<String, SslContext> tls; // null for the plain HTTP listener
    private final Bootstrap backendTemplate;
    private final UnaryOperator<InetSocketAddress> dialOverride;

    public ProxyInitializer(Supplier<RouteTable> routes, String zone, Supplier<String> caPem,
                            AsyncMapping<String, SslContext> tls, Bootstrap backendTemplate,
                            UnaryOperator<InetSocketAddress> dialOverride) {
        this.routes = routes;
        this.zone = zone;
        this.caPem = caPem;
        this.tls = tls;
        this.backendTemplate = backendTemplate;
        this.dialOverride = dialOverride;
    }

    /** A client connection with no traffic either way for this long is closed (also bounds slow-header clients). */
    static final int IDLE_SECONDS = 600;

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS));
        ch.pipeline().addLast("idleClose", IdleCloseHandler.INSTANCE);
        if (tls == null) {
            addHttp1(ch.pipeline(), "http");
        } else {
            // the TLS handshake runs with auto-read on; the protocol handlers set it as they need
            ch.pipeline().addLast("sni", new SniHandler(tls));
            ch.pipeline().addLast("alpn", new AlpnPipelineHandler(this));
        }
    }

    /** HTTP/1.1 on a connection: auto-read off, relay reads as writes complete. */
    void addHttp1(ChannelPipeline p, String scheme) {
        p.channel().config().setAutoRead(false);
        p.addLast("http", new HttpServerCodec(8192, 16384, 16384));
        p.addLast("keepalive", new HttpServerKeepAliveHandler());
        p.addLast("route", new HostRouteHandler(routes, zone, caPem));
        p.addLast("relay", new RelayFrontendHandler(backendTemplate, dialOverride, scheme, false));
    }

    /** HTTP/2 on a TLS connection: the connection reads freely (h2 flow control), each stream relays with backpressure. */
    void addHttp2(ChannelPipeline p) {
        p.addLast("h2", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(256))
                .build());
        p.addLast("h2mux", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast("h2http", new Http2StreamFrameToHttpObjectCodec(true));
                stream.pipeline().addLast("route", new HostRouteHandler(routes, zone, caPem));
                stream.pipeline().addLast("relay", new RelayFrontendHandler(backendTemplate, dialOverride, "https", true));
            }
        }));
    }
}
