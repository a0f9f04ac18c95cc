package boxd.proxy.http;

import boxd.proxy.tcp.BackpressureHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a backend (box) connection, after its {@code HttpClientCodec}: writes the box's responses to the
 * client channel under {@link BackpressureHandler}'s rule (the backend reads its next batch once the client took the
 * last one), tells {@link RelayFrontendHandler} when a response ends or the box closes, and hands a 101 to it to switch
 * both sides to a raw relay. One instance per backend connection; runs on the client channel's event loop.
 */
final class RelayBackendHandler extends BackpressureHandler {
    private static final Logger log = LoggerFactory.getLogger(RelayBackendHandler.class);

    private final Channel frontend;
    private final RelayFrontendHandler owner;
    private boolean inResponse;
    private boolean skipLast; // after a 1xx sent as one full message, its empty last content is dropped

    RelayBackendHandler(Channel frontend, RelayFrontendHandler owner) {
        this.frontend = frontend;
        this.owner = owner;
    }

    @Override
    protected Channel peer() { return frontend; }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse resp) {
            if (resp.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                owner.switchToRaw(ctx.channel(), full(resp));
                ReferenceCountUtil.release(msg);
                return;
            }
            ForwardedHeaders.toClient(resp);
            if (resp.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // HTTP/2 needs a 1xx as one headers frame: send it whole
                relay(full(resp));
                skipLast = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            inResponse = true;
        }
        if (msg instanceof HttpContent c) {
            if (skipLast && !(msg instanceof HttpResponse)) {
                if (c instanceof LastHttpContent) skipLast = false;
                c.release();
                return;
            }
            if (c instanceof LastHttpContent) {
                inResponse = false;
                owner.responseEnded();
            }
        }
        if (frontend.isActive()) {
            relay(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    private static DefaultFullHttpResponse full(HttpResponse r) {
        return new DefaultFullHttpResponse(r.protocolVersion(), r.status(), Unpooled.EMPTY_BUFFER, r.headers().copy(),
                EmptyHttpHeaders.INSTANCE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (frontend.isActive()) frontend.flush();
        owner.backendClosed(ctx.channel(), inResponse);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend connection failed: {}", cause.toString());
        ctx.close();
    }
}
