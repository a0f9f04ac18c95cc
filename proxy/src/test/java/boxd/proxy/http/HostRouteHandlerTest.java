package boxd.proxy.http;

import boxd.common.ProxyRoute;
import boxd.proxy.route.RouteTable;
import boxd.proxy.testing.Boxes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HostRouteHandlerTest {
    private final RouteTable table = RouteTable.build("boxd.local",
            List.of(Boxes.running("b-1", "web", "10.77.0.2", 10000), Boxes.pending("b-2", "down", "10.77.0.3", 10001)),
            List.of(new ProxyRoute("b-1", "web", "api", 3000)), List.of(), false);

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new HostRouteHandler(() -> table, "boxd.local", () -> "PEM-OF-THE-CA\n"));
    }

    private static HttpRequest get(String host, String path) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        if (host != null) r.headers().set("Host", host);
        return r;
    }

    private static String body(FullHttpResponse r) {
        String s = r.content().toString(StandardCharsets.UTF_8);
        r.release();
        return s;
    }

    @Test
    void passesARoutedRequestAndItsBodyOn() {
        EmbeddedChannel ch = channel();
        HttpRequest req = get("api.web.boxd.local", "/x");
        ch.writeInbound(req, new DefaultHttpContent(Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII)),
                LastHttpContent.EMPTY_LAST_CONTENT);
        RoutedRequest rr = ch.readInbound();
        assertSame(req, rr.request());
        assertEquals(new RouteTable.Found("web", "10.77.0.2", 3000), rr.target());
        HttpContent c = ch.readInbound();
        assertEquals("ab", c.content().toString(StandardCharsets.US_ASCII));
        c.release();
        assertInstanceOf(LastHttpContent.class, ch.readInbound());
        assertNull(ch.readOutbound(), "nothing answered by the proxy itself");
        assertFalse(ch.finish());
    }

    @Test
    void unknownNameGets404AndItsBodyIsDropped() {
        EmbeddedChannel ch = channel();
        ByteBuf chunk = Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII);
        ch.writeInbound(get("nosuch.boxd.local", "/"), new DefaultHttpContent(chunk), new DefaultLastHttpContent());
        FullHttpResponse resp = ch.readOutbound();
        assertEquals(404, resp.status().code());
        assertTrue(body(resp).contains("nosuch.boxd.local"));
        assertNull(ch.readInbound(), "the body of an answered request goes nowhere");
        assertEquals(0, chunk.refCnt(), "and is released");
        // the next request on the connection is routed again
        ch.writeInbound(get("web.boxd.local", "/"));
        assertInstanceOf(RoutedRequest.class, ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void boxNotRunningGets502() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(get("down.boxd.local", "/"));
        FullHttpResponse resp = ch.readOutbound();
        assertEquals(502, resp.status().code());
        assertTrue(body(resp).contains("is not running"));
        ch.finishAndReleaseAll();
    }

    @Test
    void missingHostGets404() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(get(null, "/"));
        FullHttpResponse resp = ch.readOutbound();
        assertEquals(404, resp.status().code());
        resp.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void caCertificateOnAnyHost() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(get("10.0.0.1:8080", "/.well-known/boxd/ca.crt"));
        FullHttpResponse resp = ch.readOutbound();
        assertEquals(200, resp.status().code());
        assertEquals("application/x-x509-ca-cert", resp.headers().get("Content-Type"));
        assertEquals("PEM-OF-THE-CA\n", body(resp));
        ch.finishAndReleaseAll();
    }

    @Test
    void errorPagesGoThroughTheRealCodecAsKeepAliveResponses() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(),
                new HostRouteHandler(() -> table, "boxd.local", () -> "PEM"));
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: nope.boxd.local\r\n\r\n"
                + "GET /.well-known/boxd/ca.crt HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) out.append(b.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString().startsWith("HTTP/1.1 404 Not Found\r\n"), out.toString());
        assertTrue(out.toString().contains("HTTP/1.1 200 OK\r\n"), out.toString());
        assertTrue(out.toString().endsWith("PEM"), out.toString());
        assertTrue(ch.isOpen(), "keep-alive");
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedHeadersGet400AndTheConnectionCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(8192, 16384, 16384),
                new HostRouteHandler(() -> table, "boxd.local", () -> "PEM"));
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: web.boxd.local\r\nX-Big: " + "a".repeat(20_000)
                + "\r\n\r\n", StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) out.append(b.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString().startsWith("HTTP/1.1 400 Bad Request\r\n"), out.toString());
        assertNull(ch.readInbound(), "nothing is routed");
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
