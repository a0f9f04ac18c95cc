package boxd.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/** After the TLS handshake, adds the HTTP/2 or HTTP/1.1 handlers according to ALPN (no ALPN: HTTP/1.1). */
final class AlpnPipelineHandler extends ApplicationProtocolNegotiationHandler {
    private final ProxyInitializer initializer;

    AlpnPipelineHandler(ProxyInitializer initializer) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.initializer = initializer;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            initializer.addHttp2(ctx.pipeline());
        } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
            initializer.addHttp1(ctx.pipeline(), "https");
        } else {
            throw new IllegalStateException("unsupported ALPN protocol " + protocol + " (the proxy speaks h2 and http/1.1)");
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
