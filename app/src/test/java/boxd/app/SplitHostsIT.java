package boxd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.DataDir;
import boxd.common.Json;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.worker.image.RootfsImage;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.NamespaceRuntime;

/**
 * The same jar split over two hosts, each a network namespace made here and joined by a veth: host A runs the control
 * plane's voter and the doors users reach (--roles ssh,dns,proxy), host B joins it as a replica and runs the boxes
 * (--roles worker). The operator's part is what README says: B forwards IPv4 and A routes the box range via B; A's
 * platform key reaches B through the replicated state. A box created through A's front door runs on B and is reached through A by exec, DNS and the
 * proxy; inside the box, names resolve through B's box-dns from B's own replica.
 */
class SplitHostsIT {
    static final String A_IP = "10.99.0.1", B_IP = "10.99.0.2";

    @TempDir
    Path tmp;

    @Test
    void aFrontDoorHostAndAWorkerHostServeOneBox() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        Host.requireCommand("dig", "dnsutils");
        Host.requireCommand("curl", "curl");
        Host.requireCommand("nsenter", "util-linux");
        Path jar = Path.of(System.getProperty("boxd.jar", "target/boxd.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the package phase makes it");
        Path alice = TestKeys.ed25519(tmp.resolve("keys"), "alice");
        Path dataA = tmp.resolve("a"), dataB = tmp.resolve("b");
        shareRootfsCache(dataB);

        try (TestNetns a = TestNetns.create("bxsa"); TestNetns b = TestNetns.create("bxsb")) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
            Cmd.run("ip", "link", "add", "bxva" + suffix, "netns", a.name(), "type", "veth", "peer", "name", "bxvb" + suffix,
                    "netns", b.name()).requireSuccess();
            a.exec("ip", "addr", "add", A_IP + "/24", "dev", "bxva" + suffix).requireSuccess();
            a.exec("ip", "link", "set", "bxva" + suffix, "up").requireSuccess();
            b.exec("ip", "addr", "add", B_IP + "/24", "dev", "bxvb" + suffix).requireSuccess();
            b.exec("ip", "link", "set", "bxvb" + suffix, "up").requireSuccess();
            // the operator's routing: the worker host forwards, the front door reaches the box range through it
            b.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1").requireSuccess();
            a.exec("ip", "route", "add", "10.77.0.0/16", "via", B_IP).requireSuccess();

            ServeProcess hostA = null, hostB = null;
            try {
                hostA = ServeProcess.start(jar, a.name(), dataA, List.of("--roles", "ssh,dns,proxy",
                        "--node-id", "a", "--raft-addr", A_IP + ":7100"));
                String logA = hostA.log();
                assertTrue(logA.contains("runtime: none"), logA);
                assertFalse(logA.contains("worker w-"), "host A runs no worker:\n" + logA);

                hostB = ServeProcess.start(jar, b.name(), dataB, List.of("--roles", "worker",
                        "--node-id", "b", "--raft-addr", B_IP + ":7101", "--join", A_IP + ":7100"));
                String logB = hostB.log();
                assertTrue(logB.contains("box-dns"), logB);
                assertFalse(logB.contains("ssh on "), "host B runs no front door:\n" + logB);

                // the box is created at A, runs on B
                Cmd.Result created = Cmd.run(a.wrap(ssh(alice, "alice", "new", "--name=split", "--timeout=240", "--json")),
                        null, 300, null);
                assertEquals(0, created.exit(), created.stdout() + created.stderr() + hostA.log() + hostB.log());
                Map<String, Object> box = Json.parseObject(created.stdout().strip());
                assertEquals("running", box.get("state"), created.stdout());
                String ip = (String) box.get("ipv4");
                // A's platform key reached B through the replica: B's own is another, and the relay still gets in
                assertFalse(Files.readString(new DataDir(dataA).keys().resolve("platform_ecdsa.pub"))
                        .equals(Files.readString(new DataDir(dataB).keys().resolve("platform_ecdsa.pub"))));
                assertTrue(new NamespaceRuntime(new DataDir(dataB), network(b), tmp).list().size() == 1,
                        "the box's files and processes are on host B");

                Cmd.Result hostname = Cmd.run(a.wrap(ssh(alice, "alice", "exec", "split", "--", "hostname")), null, 60, null);
                assertEquals("split\n", hostname.stdout(), hostname.stderr());
                Cmd.Result dig = a.exec("dig", "+short", "+time=2", "+tries=2", "@" + A_IP, "-p", "5353", "split.boxd.local");
                assertEquals(ip, dig.stdout().strip(), dig.stderr());
                // inside the box: the resolver is B's box-dns, answering from B's replica
                Cmd.Result resolved = Cmd.run(a.wrap(ssh(alice, "alice", "exec", "split", "--", "getent", "hosts",
                        "split.boxd.local")), null, 60, null);
                assertTrue(resolved.stdout().startsWith(ip + " "), resolved.stdout() + resolved.stderr());
                // the proxy on A reaches the box's port 8000 on B
                Cmd.run(a.wrap(ssh(alice, "alice", "exec", "split", "--", "cd /tmp && echo hello-from-b > index.html"
                        + " && (setsid python3 -m http.server 8000 >/dev/null 2>&1 < /dev/null &)")), null, 60, null).requireSuccess();
                String page = null;
                for (int i = 0; i < 30 && page == null; i++) {
                    Cmd.Result c = a.exec("curl", "-s", "--max-time", "5", "-H", "Host: split.boxd.local",
                            "http://" + A_IP + ":8080/index.html");
                    if (c.exit() == 0 && c.stdout().contains("hello-from-b")) page = c.stdout();
                    else Thread.sleep(1000);
                }
                assertTrue(page != null, "the proxy on host A never served the box's page");

                // destroyed from A, gone from B
                Cmd.run(a.wrap(ssh(alice, "alice", "destroy", "split")), null, 60, null).requireSuccess();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!new NamespaceRuntime(new DataDir(dataB), network(b), tmp).list().isEmpty()) {
                    if (System.nanoTime() > deadline) fail("the box was not removed from host B\n" + hostB.log());
                    Thread.sleep(500);
                }
            } finally {
                if (hostB != null) hostB.close();
                if (hostA != null) hostA.close();
                try {
                    NamespaceRuntime rt = new NamespaceRuntime(new DataDir(dataB), network(b), tmp);
                    for (String id : rt.list()) rt.destroy(id);
                } catch (RuntimeException | LinkageError e) {
                    System.err.println("SplitHostsIT clean-up: " + e);
                }
            }
        }
    }

    private static BoxNetwork network(TestNetns host) {
        return new BoxNetwork("boxd0", "10.77.0.1", 16, host.name(), false);
    }

    private static List<String> ssh(Path key, String user, String... command) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-p", "2222", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", user + "@" + A_IP));
        argv.addAll(List.of(command));
        return argv;
    }

    /** The worker host's image cache points at the machine's shared test image when it is there, as EndToEndIT does. */
    private static void shareRootfsCache(Path data) throws IOException {
        String env = System.getenv("BOXD_TEST_IMAGES");
        RootfsImage image = new RootfsImage(Path.of(env != null && !env.isBlank() ? env : "/var/tmp/boxd-test-images"));
        Files.createDirectories(data.resolve("images"));
        if (image.cached().isPresent())
            Files.createSymbolicLink(data.resolve("images").resolve(image.dir().getFileName()), image.dir());
    }

    /** A {@code serve} of the built jar in a network namespace, with its output in a log file. */
    static final class ServeProcess implements AutoCloseable {
        private final Process process;
        private final Path log;

        private ServeProcess(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        /** Starts serve with {@code flags} and waits for its "ready:" line. */
        static ServeProcess start(Path jar, String netns, Path data, List<String> flags) throws Exception {
            Path log = data.resolveSibling(data.getFileName() + "-serve.log");
            // nsenter --net keeps the host's mounts (cgroups); env --default-signal: SIGINT reaches serve
            List<String> argv = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns, "env", "--default-signal=INT",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
            if (Runtime.version().feature() >= 23) argv.add("--sun-misc-unsafe-memory-access=allow");
            argv.addAll(List.of("-jar", jar.toString(), "serve", "--data", data.toString()));
            argv.addAll(flags);
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ServeProcess s = new ServeProcess(p, log);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);  // the first run may build the rootfs
            while (!s.log().lines().anyMatch(l -> l.startsWith("ready:"))) {
                if (!p.isAlive()) fail("serve exited with " + p.exitValue() + " before it was ready:\n" + s.log());
                if (System.nanoTime() > deadline) fail("serve was not ready in 10 minutes:\n" + s.log());
                Thread.sleep(250);
            }
            return s;
        }

        String log() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no serve log: " + e.getMessage() + ")";
            }
        }

        /** Ctrl-C, as an operator stops it; then harder if it does not go. */
        @Override
        public void close() throws InterruptedException {
            Cmd.run("kill", "-INT", Long.toString(process.pid()));
            if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
