package boxd.proxy.http;

import boxd.proxy.route.RouteTable;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.function.Supplier;

/**
 * Sits after the HTTP codec (HTTP/1.1 connection or HTTP/2 stream) and before {@link RelayFrontendHandler}. For each
 * request it reads the Host header against the current {@link RouteTable} snapshot (a map read, never blocking) and
 * either passes a {@link RoutedRequest} on, or answers itself: the CA certificate at
 * {@code /.well-known/boxd/ca.crt}, 404 for unknown names, 502 for a box that is not running; the body of a request it
 * answers is read and dropped. One instance per connection (or stream).
 */
public final class HostRouteHandler extends ChannelInboundHandlerAdapter {
    static final String CA_PATH = "/.well-known/boxd/ca.crt";

    private final Supplier<RouteTable> routes;
    private final String zone;
    private final Supplier<String> caPem;
    private boolean discarding; // answering a request ourselves: drop its body
    private RouteTable lastTable;
    private String lastHost;
    private RouteTable.Resolution lastResolution;

    public HostRouteHandler(Supplier<RouteTable> routes, String zone, Supplier<String> caPem) {
        this.routes = routes;
        this.zone = zone;
        this.caPem = caPem;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                // unparseable or oversized request line/headers: answer once and drop the connection
                ReferenceCountUtil.release(msg);
                discarding = false;
                ctx.writeAndFlush(ErrorPages.badRequest(HttpVersion.HTTP_1_1, req.decoderResult().cause()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            RouteTable.Resolution r = isCaDownload(req) ? null : resolve(req.headers().get(HttpHeaderNames.HOST));
            if (r instanceof RouteTable.Found found) {
                ctx.fireChannelRead(new RoutedRequest(req, found));
                return;
            }
            FullHttpResponse answer = switch (r) {
                case null -> ErrorPages.caCertificate(req.protocolVersion(), caPem.get());
                case RouteTable.UnknownHost u -> ErrorPages.notFound(req.protocolVersion(), u.host(), zone);
                case RouteTable.BoxDown d -> ErrorPages.boxDown(req.protocolVersion(), d.boxName(), d.state());
                case RouteTable.Found f -> throw new AssertionError("handled above");
            };
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(answer, keepAlive);
            if (req.method().equals(HttpMethod.HEAD)) answer.content().clear();
            discarding = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            // a connection that is not kept alive is closed by HttpServerKeepAliveHandler once this is written
            ctx.writeAndFlush(answer);
            return;
        }
        if (discarding && msg instanceof HttpContent c) {
            if (c instanceof LastHttpContent) discarding = false;
            c.release();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Resolves through the current table; a keep-alive connection asking for the same host reuses the answer. */
    private RouteTable.Resolution resolve(String host) {
        RouteTable t = routes.get();
        if (t != lastTable || host == null || !host.equals(lastHost)) {
            lastTable = t;
            lastHost = host;
            lastResolution = t.resolve(host);
        }
        return lastResolution;
    }

    private static boolean isCaDownload(HttpRequest req) {
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        return path.equals(CA_PATH) && (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }
}
