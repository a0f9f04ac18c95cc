package boxd.proxy.bench;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.ObservedState;
import boxd.common.testing.TestKeys;
import boxd.control.ControlNode;
import boxd.proxy.ProxyConfig;
import boxd.proxy.ProxyServer;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the proxy for bench/proxy/run.sh: a single-node control plane in {@code DIR} with one running box "bench"
 * whose "" route is {@code BACKEND_PORT}, the box address dialed as 127.0.0.1 (the test-only dial override).
 * Prints {@code READY http=PORT https=PORT} and serves until stdin closes.
 *
 * <p>Usage: {@code ProxyBenchServer BACKEND_PORT DIR}
 */
public final class ProxyBenchServer {
    private ProxyBenchServer() {}

    public static void main(String[] args) throws Exception {
        int backendPort = Integer.parseInt(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        try (ControlNode node = ControlNode.singleNode(dir.resolve("control"))) {
            node.start();
            Control c = node.client();
            c.registerUser("bench", TestKeys.publicLine(TestKeys.ed25519(dir, "bench")));
            Box box = c.createBox("bench", "bench", BoxSpec.DEFAULT);
            c.registerWorker("w1", "127.0.0.1", 8, 16_384);
            c.awaitBox(box.id(), b -> b.worker() != null, Duration.ofSeconds(10)).orElseThrow();
            c.reportBox(box.id(), ObservedState.RUNNING, "");
            c.setProxy("bench", "bench", "", backendPort);
            // play the worker: keep its lease, or the box turns LOST
            Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try {
                        Thread.sleep(500);
                        c.heartbeat("w1");
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException ignored) {
                        // shutting down
                    }
                }
            });
            ProxyConfig cfg = ProxyConfig.defaults(new DataDir(dir.resolve("proxy")))
                    .withBind("127.0.0.1", 0, 0)
                    .withPortForwarders(false)
                    .withDialOverride(a -> new InetSocketAddress("127.0.0.1", a.getPort()));
            try (ProxyServer proxy = new ProxyServer(cfg, c)) {
                proxy.start();
                System.out.println("READY http=" + proxy.httpPort() + " https=" + proxy.httpsPort() + " " + proxy.describe());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // serve until the script closes our stdin
                }
            }
        }
        System.exit(0);
    }
}
