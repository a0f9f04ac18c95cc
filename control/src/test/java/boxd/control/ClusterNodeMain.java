package boxd.control;

import boxd.common.BoxdException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * One control node in its own JVM for the cluster tests and the benchmark, driven over a line protocol on a loopback
 * port: {@code register USER SEED}, {@code create OWNER NAME}, {@code exists NAME} (linearizable), {@code leader},
 * {@code applied}, {@code dump}, {@code ping}. Each request gets one line: "ok ...", "yes", "no" or "err CODE message".
 *
 * <p>Arguments: NODE_ID DATA_DIR RAFT_ADDRESS PEERS(comma-separated, "-" for a single node) CONTROL_PORT [SNAPSHOT_SECS]
 */
public final class ClusterNodeMain {
    public static void main(String[] args) throws Exception {
        List<String> peers = args[3].equals("-") ? List.of() : Arrays.asList(args[3].split(","));
        int snapshotSecs = args.length > 5 ? Integer.parseInt(args[5]) : 600;
        ControlConfig config = new ControlConfig(args[0], Path.of(args[1]), args[2], peers, false, null,
                Duration.ofSeconds(8), Duration.ofMillis(800), Duration.ofSeconds(snapshotSecs), null);
        ControlNode node = new ControlNode(config);
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[4]), 200, InetAddress.getLoopbackAddress())) {
            System.out.println("READY " + node.raftAddress());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(node, s));
            }
        }
    }

    private static void serve(ControlNode node, Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(handle(node, line.split(" ")));
            }
        } catch (Exception e) {
            // the driver went away
        }
    }

    private static String handle(ControlNode node, String[] a) {
        try {
            return switch (a[0]) {
                case "ping" -> "ok";
                case "register" -> "ok " + node.client().registerUser(a[1], FakeKeys.ed25519(Long.parseLong(a[2]))).name();
                case "create" -> "ok " + node.client().createBox(a[1], a[2], null).id();
                case "exists" -> {
                    node.sync(Duration.ofSeconds(5));
                    yield node.client().boxByName(a[1]).isPresent() ? "yes" : "no";
                }
                case "leader" -> node.leaderAddress().isEmpty() ? "ok -" : "ok " + node.leaderAddress();
                case "installed" -> "ok " + node.snapshotsInstalled();
                case "applied" -> "ok " + node.client().appliedIndex();
                case "dump" -> "ok " + Base64.getEncoder().encodeToString(node.dump().getBytes(StandardCharsets.UTF_8));
                default -> "err INVALID unknown request " + a[0];
            };
        } catch (BoxdException e) {
            return "err " + e.code() + " " + e.getMessage().replace('\n', ' ');
        } catch (RuntimeException e) {
            return "err INTERNAL " + e;
        }
    }
}
