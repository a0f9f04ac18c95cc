package boxd.proxy.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ForwardedHeadersTest {
    private static HttpRequest request() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
        r.headers().set("Host", "web.boxd.local");
        return r;
    }

    @Test
    void addsForwardedHeadersAndAppendsToAnExistingChain() {
        HttpRequest r = request();
        ForwardedHeaders.toBackend(r, "192.0.2.1", "https", false);
        assertEquals("192.0.2.1", r.headers().get("X-Forwarded-For"));
        assertEquals("https", r.headers().get("X-Forwarded-Proto"));
        assertEquals("web.boxd.local", r.headers().get("X-Forwarded-Host"));
        HttpRequest chained = request();
        chained.headers().set("X-Forwarded-For", "203.0.113.9");
        chained.headers().set("X-Forwarded-Proto", "gopher");
        ForwardedHeaders.toBackend(chained, "192.0.2.1", "http", false);
        assertEquals("203.0.113.9, 192.0.2.1", chained.headers().get("X-Forwarded-For"));
        assertEquals("http", chained.headers().get("X-Forwarded-Proto"), "the client cannot choose the scheme");
    }

    @Test
    void dropsHopByHopHeadersButKeepsFraming() {
        HttpRequest r = request();
        r.headers().set("Connection", "keep-alive, X-Private");
        r.headers().set("X-Private", "1");
        r.headers().set("Keep-Alive", "timeout=5");
        r.headers().set("Proxy-Connection", "keep-alive");
        r.headers().set("TE", "trailers");
        r.headers().set("Upgrade", "h2c");
        r.headers().set("Transfer-Encoding", "chunked");
        ForwardedHeaders.toBackend(r, "192.0.2.1", "http", false);
        for (String h : new String[]{"Connection", "X-Private", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade"}) {
            assertFalse(r.headers().contains(h), h + " must not reach the box");
        }
        assertEquals("chunked", r.headers().get("Transfer-Encoding"));
    }

    @Test
    void keepsAWebSocketUpgrade() {
        HttpRequest r = request();
        r.headers().set("Connection", "keep-alive, Upgrade");
        r.headers().set("Upgrade", "websocket");
        assertTrue(ForwardedHeaders.isWebSocketUpgrade(r));
        ForwardedHeaders.toBackend(r, "192.0.2.1", "http", false);
        assertEquals("websocket", r.headers().get("Upgrade"));
        assertEquals("upgrade", r.headers().get("Connection").toLowerCase());
    }

    @Test
    void http2RequestsLoseConversionHeadersAndGetChunkedFraming() {
        HttpRequest r = request();
        r.headers().set("x-http2-stream-id", "3");
        r.headers().set("x-http2-scheme", "https");
        ForwardedHeaders.toBackend(r, "192.0.2.1", "https", true);
        assertFalse(r.headers().contains("x-http2-stream-id"));
        assertFalse(r.headers().contains("x-http2-scheme"));
        assertEquals("chunked", r.headers().get("Transfer-Encoding"));
    }

    @Test
    void responsesLoseHopByHopHeaders() {
        var resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        resp.headers().set("Connection", "close");
        resp.headers().set("Keep-Alive", "timeout=5");
        resp.headers().set("Content-Length", "5");
        ForwardedHeaders.toClient(resp);
        assertFalse(resp.headers().contains("Connection"));
        assertFalse(resp.headers().contains("Keep-Alive"));
        assertEquals("5", resp.headers().get("Content-Length"));
    }
}
