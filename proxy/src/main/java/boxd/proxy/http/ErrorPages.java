package boxd.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** The proxy's own responses: short HTML pages saying what happened and what to do. */
public final class ErrorPages {
    private ErrorPages() {}

    public static FullHttpResponse notFound(HttpVersion version, String host, String zone) {
        return page(version, HttpResponseStatus.NOT_FOUND, "No box answers at " + host,
                "There is no box or proxy route named <b>" + esc(host) + "</b>. Boxes are served at NAME." + esc(zone)
                        + " and their proxy routes at SUB.NAME." + esc(zone)
                        + ". Check the name, or list your boxes and routes with <code>ssh boxd ls</code> and <code>proxy ls</code>.");
    }

    public static FullHttpResponse boxDown(HttpVersion version, String box, String state) {
        return page(version, HttpResponseStatus.BAD_GATEWAY, "Box " + box + " is not running",
                "The box <b>" + esc(box) + "</b> exists but is not running (state " + esc(state)
                        + "). Start it, or wait until it is running, and reload.");
    }

    public static FullHttpResponse unreachable(HttpVersion version, String box, String ipv4, int port, String why) {
        return page(version, HttpResponseStatus.BAD_GATEWAY, "Box " + box + " did not answer on port " + port,
                "The proxy could not reach port " + port + " of box <b>" + esc(box) + "</b> (" + esc(ipv4) + "): "
                        + esc(why) + ". Make sure a server listens on 0.0.0.0:" + port
                        + " inside the box, or point the proxy at another port with <code>proxy set-port "
                        + esc(box) + " PORT</code>.");
    }

    public static FullHttpResponse backendClosed(HttpVersion version, String box) {
        return page(version, HttpResponseStatus.BAD_GATEWAY, "Box " + box + " closed the connection",
                "The server in box <b>" + esc(box) + "</b> closed the connection before it answered. Check its logs and retry.");
    }

    public static FullHttpResponse badRequest(HttpVersion version, Throwable why) {
        FullHttpResponse r = page(version, HttpResponseStatus.BAD_REQUEST, "Bad request",
                "The proxy could not read this request (" + esc(why == null ? "malformed" : why.getMessage())
                        + "). Request lines are limited to 8 KiB and headers to 16 KiB.");
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
        return r;
    }

    public static FullHttpResponse caCertificate(HttpVersion version, String pem) {
        ByteBuf body = Unpooled.copiedBuffer(pem, StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-x509-ca-cert");
        r.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"boxd-ca.crt\"");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    private static FullHttpResponse page(HttpVersion version, HttpResponseStatus status, String title, String text) {
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + status.code() + " " + esc(title)
                + "</title></head>\n<body><h1>" + status.code() + " " + esc(title) + "</h1>\n<p>" + text
                + "</p>\n<hr><p>boxd proxy</p></body></html>\n";
        ByteBuf body = Unpooled.copiedBuffer(html, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
