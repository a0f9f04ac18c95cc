package boxd.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNodeMain} child JVM (same data dir and ports across restarts) and a client of its line protocol. */
final class NodeProcess implements AutoCloseable {
    final String id;
    final Path dataDir;
    final int raftPort, controlPort;
    final String peers;
    final int snapshotSecs;
    private Process process;
    /** JVM flags: small and quick to start for tests; the benchmark asks for a full JIT. */
    List<String> jvmFlags = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    NodeProcess(String id, Path dataDir, int raftPort, int controlPort, String peers, int snapshotSecs) {
        this.id = id;
        this.dataDir = dataDir;
        this.raftPort = raftPort;
        this.controlPort = controlPort;
        this.peers = peers;
        this.snapshotSecs = snapshotSecs;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String raftAddress() { return "127.0.0.1:" + raftPort; }

    void start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ClusterNodeMain.class.getName(),
                id, dataDir.toString(), raftAddress(), peers, Integer.toString(controlPort), Integer.toString(snapshotSecs)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolveSibling(id + ".log").toFile()));
        dataDir.toFile().mkdirs();
        process = pb.start();
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    boolean alive() { return process != null && process.isAlive(); }

    long pid() { return process.pid(); }

    /** Sends one request on a fresh connection; throws IOException when the node is down. */
    String call(String request, int timeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort), 1000);
            s.setSoTimeout(timeoutMs);
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.println(request);
            String line = in.readLine();
            if (line == null) throw new IOException("node " + id + " closed the connection");
            return line;
        }
    }

    /** A persistent connection for many requests (the benchmark). */
    Conn connect() throws IOException {
        return new Conn(controlPort);
    }

    static final class Conn implements AutoCloseable {
        final Socket s;
        final PrintWriter out;
        final BufferedReader in;

        Conn(int port) throws IOException {
            s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setSoTimeout(30_000);
            out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        }

        String call(String request) throws IOException {
            out.println(request);
            String line = in.readLine();
            if (line == null) throw new IOException("closed");
            return line;
        }

        @Override
        public void close() throws IOException { s.close(); }
    }

    /** Waits until the node answers. */
    void awaitUp(long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                if (call("ping", 2000).equals("ok")) return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline || !alive())
                    throw new IllegalStateException("node " + id + " did not come up; see " + dataDir.resolveSibling(id + ".log"), e);
                Thread.sleep(100);
            }
        }
    }

    String leader() throws IOException {
        String r = call("leader", 5000);
        return r.startsWith("ok ") && !r.equals("ok -") ? r.substring(3) : "";
    }

    long applied() throws IOException {
        return Long.parseLong(call("applied", 5000).substring(3));
    }

    String dump() throws IOException {
        String r = call("dump", 20_000);
        if (!r.startsWith("ok ")) throw new IOException("dump failed: " + r);
        return new String(Base64.getDecoder().decode(r.substring(3)), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
