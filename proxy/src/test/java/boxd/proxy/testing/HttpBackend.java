package boxd.proxy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A small web server on 127.0.0.1 standing in for a box's port: {@code /} answers "hello from backend" and the request
 * headers it saw (lower-case, one per line), {@code /upload?rate=BYTES_PER_S} reads the body (as slowly as asked) and
 * answers "received N", {@code /download?size=N&rate=BYTES_PER_S} streams N bytes.
 */
public final class HttpBackend implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    public HttpBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(pool);
        server.createContext("/", this::hello);
        server.createContext("/upload", this::upload);
        server.createContext("/download", this::download);
        server.start();
    }

    public int port() { return server.getAddress().getPort(); }

    private void hello(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            StringBuilder sb = new StringBuilder("hello from backend\n");
            sb.append("method: ").append(ex.getRequestMethod()).append('\n');
            sb.append("path: ").append(ex.getRequestURI()).append('\n');
            Map<String, String> sorted = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> sorted.put(k.toLowerCase(), String.join(",", v)));
            sorted.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private void upload(HttpExchange ex) throws IOException {
        try (ex) {
            long rate = param(ex, "rate", 0);
            long n = 0;
            long start = System.nanoTime();
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = ex.getRequestBody()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    n += r;
                    pace(n, rate, start);
                }
            }
            byte[] body = ("received " + n + "\n").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private void download(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            long size = param(ex, "size", 1024);
            long rate = param(ex, "rate", 0);
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, size);
            byte[] buf = new byte[64 * 1024];
            for (int i = 0; i < buf.length; i++) buf[i] = (byte) ('a' + i % 26);
            long sent = 0;
            long start = System.nanoTime();
            try (OutputStream out = ex.getResponseBody()) {
                while (sent < size) {
                    int n = (int) Math.min(buf.length, size - sent);
                    out.write(buf, 0, n);
                    sent += n;
                    pace(sent, rate, start);
                }
            }
        }
    }

    /** Sleeps so that {@code done} bytes take at least done/rate seconds since {@code start}. */
    private static void pace(long done, long rate, long start) {
        if (rate <= 0) return;
        long due = start + done * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
    }

    private static long param(HttpExchange ex, String name, long dflt) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return dflt;
        for (String kv : q.split("&")) {
            if (kv.startsWith(name + "=")) return Long.parseLong(kv.substring(name.length() + 1));
        }
        return dflt;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
