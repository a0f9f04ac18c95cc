package boxd.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Header rewriting between client and box: hop-by-hop headers out, X-Forwarded-* in. Stateless. */
final class ForwardedHeaders {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    private ForwardedHeaders() {}

    /** {@return whether the request asks to switch to WebSocket (the one upgrade the proxy relays)} */
    static boolean isWebSocketUpgrade(HttpRequest req) {
        HttpHeaders h = req.headers();
        return h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)
                && h.contains(HttpHeaderNames.UPGRADE)
                && h.get(HttpHeaderNames.UPGRADE).toLowerCase(Locale.ROOT).contains("websocket");
    }

    /**
     * Rewrites a client request for the box: drops hop-by-hop headers (keeping {@code Upgrade} for a WebSocket
     * handshake), drops HTTP/2 conversion headers, and sets X-Forwarded-For (appended), -Proto and -Host.
     */
    static void toBackend(HttpRequest req, String clientIp, String scheme, boolean fromHttp2) {
        HttpHeaders h = req.headers();
        boolean upgrade = !fromHttp2 && isWebSocketUpgrade(req);
        stripHopByHop(h, upgrade);
        if (fromHttp2) {
            for (var n : HttpConversionUtil.ExtensionHeaderNames.values()) h.remove(n.text());
            // an HTTP/2 body has no HTTP/1 framing yet: chunk it unless its length is known
            if (!(req instanceof io.netty.handler.codec.http.FullHttpRequest)
                    && !HttpUtil.isContentLengthSet(req) && !HttpUtil.isTransferEncodingChunked(req)) {
                HttpUtil.setTransferEncodingChunked(req, true);
            }
        }
        String host = h.get(HttpHeaderNames.HOST);
        String prior = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, prior == null || prior.isBlank() ? clientIp : prior + ", " + clientIp);
        h.set(X_FORWARDED_PROTO, scheme);
        if (host != null) h.set(X_FORWARDED_HOST, host);
    }

    /** Drops hop-by-hop headers from a box's response (its framing headers stay: the codec re-frames with them). */
    static void toClient(HttpResponse resp) {
        stripHopByHop(resp.headers(), false);
    }

    private static void stripHopByHop(HttpHeaders h, boolean keepUpgrade) {
        List<String> named = new ArrayList<>(2);
        for (String v : h.contains(HttpHeaderNames.CONNECTION) ? h.getAll(HttpHeaderNames.CONNECTION) : List.<String>of()) {
            for (String t : v.split(",")) {
                String n = t.trim();
                if (!n.isEmpty()) named.add(n);
            }
        }
        for (String n : named) {
            String l = n.toLowerCase(Locale.ROOT);
            if (l.equals("transfer-encoding") || l.equals("content-length") || l.equals("host")) continue;
            if (keepUpgrade && l.equals("upgrade")) continue;
            h.remove(n);
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        if (keepUpgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
        } else {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
