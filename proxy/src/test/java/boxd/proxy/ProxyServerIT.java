package boxd.proxy;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.Exposure;
import boxd.common.ObservedState;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.control.ControlNode;
import boxd.proxy.testing.EchoServers;
import boxd.proxy.testing.HttpBackend;
import boxd.proxy.testing.TestSshd;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The proxy end to end with the real {@code curl}, on loopback, against a real single-node control plane.
 *
 * <p>Box addresses come from 10.77.0.0/16, which the host does not route. Rather than put the proxy (this JVM) inside
 * a namespace, the test uses {@link ProxyConfig#dialOverride()} (test-only) to dial loopback stand-ins: the box's
 * routed ports map to 127.0.0.1 and its port 22 to a TCP echo server. Everything listens on 127.0.0.1 only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyServerIT {
    private static final String ZONE = "boxd.local";
    private static final long FIFTY_MB = 50L * 1024 * 1024;

    private Path tmp;
    private ControlNode node;
    private Control control;
    private HttpBackend backend;
    private EchoServers echo;
    private ProxyServer proxy;
    private ProxyConfig config;
    private java.util.concurrent.ScheduledExecutorService heartbeat;
    private Box web;
    private Box shell;
    private TestSshd sshd;
    private int deadPort;

    @BeforeAll
    void setUp(@TempDir Path dir) throws Exception {
        tmp = dir;
        Host.requireCommand("curl", "curl");
        backend = new HttpBackend();
        echo = new EchoServers();
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again: connections to it are refused
        }
        node = ControlNode.singleNode(tmp.resolve("control"));
        node.start();
        control = node.client();
        String key = TestKeys.publicLine(TestKeys.ed25519(tmp, "alice"));
        control.registerUser("alice", key);
        web = control.createBox("alice", "web", BoxSpec.DEFAULT);
        control.createBox("alice", "down", BoxSpec.DEFAULT); // stays pending: never running
        shell = control.createBox("alice", "shell", BoxSpec.DEFAULT);
        control.registerWorker("w1", "127.0.0.1", 8, 16_384);
        for (Box b : List.of(web, shell)) {
            control.awaitBox(b.id(), x -> x.worker() != null, Duration.ofSeconds(10)).orElseThrow();
            control.reportBox(b.id(), ObservedState.RUNNING, "");
        }
        // the test plays the worker: keep its lease, or the boxes turn LOST
        heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleWithFixedDelay(() -> {
            try {
                control.heartbeat("w1");
            } catch (RuntimeException ignored) {
                // the control node is shutting down
            }
        }, 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        sshd = Host.isRoot() && Host.hasCommand("sshd") ? new TestSshd(tmp.resolve("sshd")) : null;
        control.setProxy("alice", "web", "", backend.port());
        control.setProxy("alice", "web", "ws", echo.wsPort());
        control.setProxy("alice", "web", "dead", deadPort);

        String shellIp = shell.ipv4();
        int sshdPort = sshd == null ? deadPort : sshd.port();
        config = ProxyConfig.defaults(new DataDir(tmp.resolve("proxy")))
                .withBind("127.0.0.1", 0, 0)
                .withDialOverride(a -> {
                    // loopback stand-ins for the boxes: their web ports are the same ports on 127.0.0.1; port 22 is
                    // a real sshd for "shell" and a TCP echo for the others
                    String ip = a.getHostString();
                    if (!ip.startsWith("10.77.")) return a;
                    if (a.getPort() == 22) return new InetSocketAddress("127.0.0.1", ip.equals(shellIp) ? sshdPort : echo.tcpPort());
                    return new InetSocketAddress("127.0.0.1", a.getPort());
                });
        proxy = new ProxyServer(config, control);
        proxy.start();
        web = control.boxByName("web").orElseThrow();
    }

    @AfterAll
    void tearDown() {
        if (proxy != null) proxy.close();
        if (heartbeat != null) heartbeat.shutdownNow();
        if (node != null) node.close();
        if (echo != null) echo.close();
        if (sshd != null) sshd.close();
        if (backend != null) backend.close();
    }

    private Cmd.Result curl(String... args) {
        List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
        argv.addAll(List.of(args));
        return Cmd.run(argv, null, 90, null);
    }

    private String http(String path) { return "http://127.0.0.1:" + proxy.httpPort() + path; }

    private Path downloadCa() {
        Path ca = tmp.resolve("ca.crt");
        curl("-o", ca.toString(), "-f", http("/.well-known/boxd/ca.crt")).requireSuccess();
        return ca;
    }

    @Test
    void hostHeaderReachesTheBoxWithForwardedHeaders() {
        var r = curl("-H", "Host: web." + ZONE, "-H", "X-Forwarded-For: 198.51.100.7", "-H", "Connection: keep-alive, X-Secret",
                "-H", "X-Secret: hop", http("/hello?x=1")).requireSuccess();
        assertTrue(r.stdout().startsWith("hello from backend"), r.stdout());
        assertTrue(r.stdout().contains("path: /hello?x=1"), r.stdout());
        assertTrue(r.stdout().contains("x-forwarded-for: 198.51.100.7, 127.0.0.1\n"), r.stdout());
        assertTrue(r.stdout().contains("x-forwarded-proto: http\n"), r.stdout());
        assertTrue(r.stdout().contains("x-forwarded-host: web." + ZONE + "\n"), r.stdout());
        assertFalse(r.stdout().contains("x-secret"), "a header named in Connection is hop-by-hop: " + r.stdout());
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() {
        var r = curl("-H", "Host: web." + ZONE, "-w", "%{num_connects}\n", http("/a"), http("/b"), http("/c"))
                .requireSuccess();
        assertEquals(3, r.stdout().split("hello from backend", -1).length - 1, r.stdout());
        assertTrue(r.stdout().contains("\n0\n"), "later requests reuse the connection: " + r.stdout());
    }

    @Test
    void httpsWithSniAndTheDownloadedCa() throws Exception {
        Path ca = downloadCa();
        assertEquals(proxy.caCertificatePem(), Files.readString(ca));
        int port = proxy.httpsPort();
        String url = "https://web." + ZONE + ":" + port + "/tls";
        var r = curl("--http1.1", "--cacert", ca.toString(), "--resolve", "web." + ZONE + ":" + port + ":127.0.0.1",
                "-w", "\nversion=%{http_version}", url).requireSuccess();
        assertTrue(r.stdout().contains("hello from backend"), r.stdout());
        assertTrue(r.stdout().contains("x-forwarded-proto: https\n"), r.stdout());
        assertTrue(r.stdout().endsWith("version=1.1"), r.stdout());
        // the CA is kept in the data dir and reused at the next start
        assertTrue(Files.exists(tmp.resolve("proxy/keys/proxy-ca.key")));
    }

    @Test
    void http2ThroughAlpn() {
        Path ca = downloadCa();
        int port = proxy.httpsPort();
        var r = curl("--http2", "--cacert", ca.toString(), "--resolve", "web." + ZONE + ":" + port + ":127.0.0.1",
                "-w", "\nversion=%{http_version}", "https://web." + ZONE + ":" + port + "/h2").requireSuccess();
        assertTrue(r.stdout().contains("hello from backend"), r.stdout());
        assertTrue(r.stdout().contains("path: /h2\n"), r.stdout());
        assertTrue(r.stdout().contains("x-forwarded-proto: https\n"), r.stdout());
        assertFalse(r.stdout().contains("x-http2-"), r.stdout());
        assertTrue(r.stdout().endsWith("version=2"), r.stdout());
        // a body over h2, without a declared length
        var up = curl("--http2", "--cacert", ca.toString(), "--resolve", "web." + ZONE + ":" + port + ":127.0.0.1",
                "-H", "Transfer-Encoding: chunked", "--data-binary", "0123456789",
                "https://web." + ZONE + ":" + port + "/upload").requireSuccess();
        assertEquals("received 10\n", up.stdout());
        // the proxy's own pages over h2 too
        var missing = curl("--http2", "--cacert", ca.toString(), "--resolve", "nosuch." + ZONE + ":" + port + ":127.0.0.1",
                "-w", "\nstatus=%{http_code} version=%{http_version}", "https://nosuch." + ZONE + ":" + port + "/").requireSuccess();
        assertTrue(missing.stdout().endsWith("status=404 version=2"), missing.stdout());
    }

    @Test
    void unknownNamesGet404AndDownBoxes502() {
        var r = curl("-H", "Host: nosuch." + ZONE, "-w", "\nstatus=%{http_code}", http("/")).requireSuccess();
        assertTrue(r.stdout().endsWith("status=404"), r.stdout());
        assertTrue(r.stdout().contains("No box answers at nosuch." + ZONE), r.stdout());
        r = curl("-H", "Host: other.example.com", "-w", "\nstatus=%{http_code}", http("/")).requireSuccess();
        assertTrue(r.stdout().endsWith("status=404"), r.stdout());
        r = curl("-H", "Host: down." + ZONE, "-w", "\nstatus=%{http_code}", http("/")).requireSuccess();
        assertTrue(r.stdout().endsWith("status=502"), r.stdout());
        assertTrue(r.stdout().contains("is not running"), r.stdout());
        r = curl("-H", "Host: dead.web." + ZONE, "-w", "\nstatus=%{http_code}", http("/")).requireSuccess();
        assertTrue(r.stdout().endsWith("status=502"), r.stdout());
        assertTrue(r.stdout().contains("did not answer on port " + deadPort), r.stdout());
        assertTrue(r.stdout().contains("connection refused"), r.stdout());
        // the connection stays usable after an error page
        r = curl("-w", "\nstatus=%{http_code}\n", "-H", "Host: nosuch." + ZONE, http("/"), "--next",
                "-w", "\nstatus=%{http_code}\n", "-H", "Host: web." + ZONE, http("/again"));
        assertTrue(r.stdout().contains("hello from backend"), r.stdout());
    }

    @Test
    void streamsFiftyMegabytesBothWaysWithoutBufferingThem() throws Exception {
        Path big = tmp.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(FIFTY_MB);
        }
        // the box reads at 40 MB/s, slower than curl sends: only backpressure keeps the proxy from buffering
        try (MemoryPeak peak = new MemoryPeak()) {
            var up = curl("-H", "Host: web." + ZONE, "-H", "Expect:", "--data-binary", "@" + big,
                    http("/upload?rate=" + 40_000_000)).requireSuccess();
            assertEquals("received " + FIFTY_MB + "\n", up.stdout());
            // curl reads at 40 MB/s, slower than the box sends
            var down = curl("-H", "Host: web." + ZONE, "--limit-rate", "40000000", "-o", "/dev/null",
                    "-w", "%{size_download}", http("/download?size=" + FIFTY_MB)).requireSuccess();
            assertEquals(String.valueOf(FIFTY_MB), down.stdout());
            peak.stop();
            System.out.printf("50 MB up+down: the proxy's pooled buffers grew by %.1f MB (%s)%n",
                    peak.poolGrowth() / 1e6, peak);
            assertTrue(peak.poolGrowth() < 16L * 1024 * 1024,
                    "the proxy's buffers grew by " + peak.poolGrowth() + " bytes while relaying 50 MB");
        }
        // the same over HTTP/2: per-stream flow control instead of TCP's
        Path ca = downloadCa();
        int port = proxy.httpsPort();
        try (MemoryPeak peak = new MemoryPeak()) {
            var up = curl("--http2", "--cacert", ca.toString(), "--resolve", "web." + ZONE + ":" + port + ":127.0.0.1",
                    "--data-binary", "@" + big, "https://web." + ZONE + ":" + port + "/upload?rate=" + 40_000_000)
                    .requireSuccess();
            assertEquals("received " + FIFTY_MB + "\n", up.stdout());
            var down = curl("--http2", "--cacert", ca.toString(), "--resolve", "web." + ZONE + ":" + port + ":127.0.0.1",
                    "--limit-rate", "40000000", "-o", "/dev/null", "-w", "%{size_download} %{http_version}",
                    "https://web." + ZONE + ":" + port + "/download?size=" + FIFTY_MB).requireSuccess();
            assertEquals(FIFTY_MB + " 2", down.stdout());
            peak.stop();
            System.out.printf("50 MB up+down over h2: the proxy's pooled buffers grew by %.1f MB (%s)%n",
                    peak.poolGrowth() / 1e6, peak);
            assertTrue(peak.poolGrowth() < 16L * 1024 * 1024,
                    "the proxy's buffers grew by " + peak.poolGrowth() + " bytes while relaying 50 MB over h2");
        }
        // a chunked upload of unknown length, too
        var chunked = curl("-H", "Host: web." + ZONE, "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + big,
                http("/upload")).requireSuccess();
        assertEquals("received " + FIFTY_MB + "\n", chunked.stdout());
    }

    @Test
    void webSocketEcho() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.httpPort())) {
            webSocketSession(s);
        }
    }

    @Test
    void webSocketEchoOverTls() throws Exception {
        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("boxd", cf.generateCertificate(
                new java.io.ByteArrayInputStream(proxy.caCertificatePem().getBytes(StandardCharsets.US_ASCII))));
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (var s = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", proxy.httpsPort())) {
            var params = s.getSSLParameters();
            params.setServerNames(List.of(new javax.net.ssl.SNIHostName("ws.web." + ZONE)));
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setApplicationProtocols(new String[]{"http/1.1"});
            s.setSSLParameters(params);
            s.startHandshake(); // verifies the per-name certificate against the downloaded CA
            webSocketSession(s);
        }
    }

    private static void webSocketSession(Socket s) throws Exception {
        {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: ws.web." + ZONE + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.toLowerCase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="), head);
            for (String text : List.of("hello ws", "second frame")) {
                writeTextFrame(out, text);
                assertEquals("echo: " + text, readTextFrame(in));
            }
        }
    }

    @Test
    void exposeRelaysTcpAndFollowsRemoval() throws Exception {
        Exposure e = control.expose("alice", "web", echo.tcpPort());
        awaitPort(e.publicPort(), true);
        assertEquals("ping\n", echoOnce(e.publicPort(), "ping\n"));
        control.unexpose("alice", "web", echo.tcpPort());
        awaitPort(e.publicPort(), false);
        assertThrows(java.net.ConnectException.class, () -> new Socket("127.0.0.1", e.publicPort()).close(),
                "the listener is gone");
    }

    @Test
    void perBoxSshPortRelaysToPort22() throws Exception {
        assertTrue(web.sshPort() >= 10_000 && web.sshPort() <= 30_000, "ssh port " + web.sshPort());
        awaitPort(web.sshPort(), true);
        assertEquals("SSH-2.0-probe\r\n", echoOnce(web.sshPort(), "SSH-2.0-probe\r\n"));
    }

    @Test
    void sshThroughThePerBoxPortReachesTheBoxSshd() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        assertNotNull(sshd, "sshd stand-in");
        shell = control.boxByName("shell").orElseThrow();
        awaitPort(shell.sshPort(), true);
        var r = Cmd.run(List.of("ssh", "-p", String.valueOf(shell.sshPort()), "-i", sshd.clientKey().toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", System.getProperty("user.name") + "@127.0.0.1",
                "echo", "hello-from-the-box"), null, 60, null);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("hello-from-the-box\n", r.stdout());
    }

    @Test
    void aRestartKeepsTheCaAndReopensTheForwards() throws Exception {
        String ca = proxy.caCertificatePem();
        proxy.close();
        proxy.close(); // twice is harmless
        proxy = new ProxyServer(config, control);
        proxy.start();
        assertEquals(ca, proxy.caCertificatePem(), "the CA is kept in the data dir and reused");
        awaitPort(web.sshPort(), true);
        assertEquals("again\n", echoOnce(web.sshPort(), "again\n"));
        var r = curl("-H", "Host: web." + ZONE, http("/after-restart")).requireSuccess();
        assertTrue(r.stdout().contains("path: /after-restart"), r.stdout());
    }

    @Test
    void aBoxIsServedWithinASecondOfBecomingRunning() throws Exception {
        Box fresh = control.createBox("alice", "fresh", BoxSpec.DEFAULT);
        control.awaitBox(fresh.id(), b -> b.worker() != null, Duration.ofSeconds(10)).orElseThrow();
        control.setProxy("alice", "fresh", "", backend.port());
        var before = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: fresh." + ZONE, http("/")).stdout();
        assertEquals("502", before, "not running yet");
        control.reportBox(fresh.id(), ObservedState.RUNNING, "");
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: fresh." + ZONE, http("/")).stdout();
            if (status.equals("200")) break;
            Thread.sleep(20);
        }
        assertEquals("200", status, "fresh answered within a second of becoming running");
    }

    @Test
    void aNewRouteIsServedWithinASecond() throws Exception {
        control.setProxy("alice", "web", "late", backend.port());
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: late.web." + ZONE, http("/")).stdout();
            if (status.equals("200")) break;
            Thread.sleep(50);
        }
        assertEquals("200", status, "late.web answered within a second of the route being applied");
    }

    // ---- helpers ----

    private void awaitPort(int port, boolean open) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (proxy.forwardedPorts().contains(port) == open) return;
            Thread.sleep(50);
        }
        fail("port " + port + " should be " + (open ? "open" : "closed") + "; open ports: " + proxy.forwardedPorts());
    }

    private static String echoOnce(int port, String text) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[text.length()];
            int n = 0;
            while (n < buf.length) {
                int r = s.getInputStream().read(buf, n, buf.length - n);
                if (r < 0) break;
                n += r;
            }
            return new String(buf, 0, n, StandardCharsets.US_ASCII);
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static void writeTextFrame(OutputStream out, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] frame = new byte[2 + 4 + payload.length];
        frame[0] = (byte) 0x81; // FIN + text
        frame[1] = (byte) (0x80 | payload.length); // masked, short length
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        out.write(frame);
        out.flush();
    }

    private static String readTextFrame(InputStream in) throws Exception {
        int b0 = in.read();
        int len = in.read() & 0x7f;
        assertEquals(0x81, b0, "a final text frame");
        byte[] payload = in.readNBytes(len);
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * Samples the pooled Netty buffer memory (where the proxy's relay buffers live) in the background and reports its
     * growth over the start value: a proxy that buffered the 50 MB body shows tens of MB here.
     */
    private static final class MemoryPeak implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final long poolStart = pooled();
        private final AtomicLong poolMax = new AtomicLong();
        private final Thread sampler;

        MemoryPeak() {
            sampler = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    poolMax.accumulateAndGet(pooled(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        static long pooled() {
            var m = PooledByteBufAllocator.DEFAULT.metric();
            return m.usedDirectMemory() + m.usedHeapMemory();
        }

        long poolGrowth() { return Math.max(0, poolMax.get() - poolStart); }

        @Override
        public String toString() {
            return "pooled bytes " + poolStart + " before, at most " + poolMax.get() + " during";
        }

        void stop() throws InterruptedException {
            running.set(false);
            sampler.join();
        }

        @Override
        public void close() throws InterruptedException { stop(); }
    }
}
