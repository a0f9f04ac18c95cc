package boxd.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.DataDir;
import boxd.common.Json;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.NamespaceRuntime;

/**
 * The whole product as a user and an operator meet it: the built boxd.jar runs {@code serve} on a fresh data dir
 * inside a network namespace made here (bridge, boxes and every client live in it), and the real OpenSSH client, dig
 * and curl drive it. One box goes through create, exec, direct ssh, cp, a PTY, isolation from a second user, DNS, the
 * HTTP proxy, a kill -9 of serve and a restart, destroy; then Ctrl-C stops serve with exit 0.
 */
class EndToEndIT {
    static final int SSH = 2222;
    static final int DNS = 5353;
    static final int HTTP = 8080;

    @TempDir
    Path tmp;

    private TestNetns ns;
    private Path data;
    private Path log;

    @Test
    void aBoxFromCreationToDestructionThroughEveryDoor() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        Host.requireCommand("dig", "dnsutils");
        Host.requireCommand("curl", "curl");
        Host.requireCommand("debootstrap", "debootstrap");
        Path jar = Path.of(System.getProperty("boxd.jar", "target/boxd.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the package phase makes it");
        data = tmp.resolve("data");
        log = tmp.resolve("serve.log");
        ServeProcess.shareRootfsCache(data);
        Path alice = TestKeys.ed25519(tmp.resolve("keys"), "alice");
        Path bob = TestKeys.ed25519(tmp.resolve("keys"), "bob");

        ns = TestNetns.create("bxe2e");
        ServeProcess serve = null;
        try {
            serve = startServe(jar);

            // new reaches running
            Cmd.Result created = ssh(alice, "alice", null, "new", "--name=e2e", "--timeout=240", "--json");
            assertEquals(0, created.exit(), created.stdout() + created.stderr() + serveLog());
            Map<String, Object> box = Json.parseObject(created.stdout().strip());
            assertEquals("running", box.get("state"), created.stdout());
            String ip = (String) box.get("ipv4");

            // exec: output, and the exit status passed through
            Cmd.Result uname = ssh(alice, "alice", null, "exec", "e2e", "--", "uname", "-a");
            assertEquals(0, uname.exit(), uname.stderr());
            assertTrue(uname.stdout().startsWith("Linux"), uname.stdout());
            assertEquals(1, ssh(alice, "alice", null, "exec", "e2e", "--", "false").exit());

            // straight to the box's own sshd with the owner's key
            Cmd.Result direct = Cmd.run(ns.wrap(sshArgs(alice, "boxd", ip, 22, "hostname")), null, 60, null);
            assertEquals("e2e", direct.stdout().strip(), direct.stderr());

            // cp 10 MB in and back out
            byte[] big = new byte[10 << 20];
            new Random(42).nextBytes(big);
            Cmd.Result up = ssh(alice, "alice", big, "cp", "-", "e2e:/home/boxd/big.bin");
            assertEquals(0, up.exit(), up.stderr());
            Cmd.Result sum = ssh(alice, "alice", null, "exec", "e2e", "--", "sha256sum", "/home/boxd/big.bin");
            assertTrue(sum.stdout().startsWith(sha256(big)), sum.stdout());
            Path back = tmp.resolve("back.bin");
            List<String> down = ns.wrap(sshArgs(alice, "alice", "127.0.0.1", SSH, "cp", "e2e:/home/boxd/big.bin", "-"));
            Cmd.Result got = Cmd.run(List.of("sh", "-c", shellJoin(down) + " > " + back), null, 120, null);
            assertEquals(0, got.exit(), got.stderr());
            assertEquals(sha256(big), sha256(Files.readAllBytes(back)));
            // and with scp (SFTP) to NAME@HOST: the box's own sftp-server through the frontend
            Path viaScp = tmp.resolve("scp.bin");
            Cmd.Result scp = Cmd.run(ns.wrap(List.of("scp", "-s", "-P", Integer.toString(SSH), "-i", alice.toString(),
                    "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                    "e2e@127.0.0.1:/home/boxd/big.bin", viaScp.toString())), null, 120, null);
            assertEquals(0, scp.exit(), scp.stderr());
            assertEquals(sha256(big), sha256(Files.readAllBytes(viaScp)));
            // and rsync over the front door (an exec of rsync --server in the box)
            Path synced = Files.createDirectories(tmp.resolve("synced"));
            String rsh = "ssh -p " + SSH + " -i " + alice + " -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no"
                    + " -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";
            Cmd.Result rsync = Cmd.run(ns.wrap(List.of("rsync", "-a", "-e", rsh, "e2e@127.0.0.1:/home/boxd/big.bin", synced + "/")),
                    null, 120, null);
            assertEquals(0, rsync.exit(), rsync.stdout() + rsync.stderr());
            assertEquals(sha256(big), sha256(Files.readAllBytes(synced.resolve("big.bin"))));

            // connect through a PTY runs a command
            List<String> pty = new ArrayList<>(sshArgs(alice, "alice", "127.0.0.1", SSH, "connect", "e2e"));
            pty.add(1, "-tt");
            Cmd.Result shell = Cmd.run(ns.wrap(pty), "tty; echo PTY-$((6*7)); exit\n".getBytes(StandardCharsets.UTF_8), 60, null);
            assertTrue(shell.stdout().contains("PTY-42"), shell.stdout() + shell.stderr());
            assertTrue(shell.stdout().contains("/dev/pts/"), shell.stdout());

            // a second user sees nothing and reaches nothing
            Cmd.Result bobList = ssh(bob, "bob", null, "list", "--json");
            assertEquals(0, bobList.exit(), bobList.stderr());
            assertFalse(bobList.stdout().contains("e2e"), bobList.stdout());
            Cmd.Result bobExec = ssh(bob, "bob", null, "exec", "e2e", "--", "true");
            assertNotEquals(0, bobExec.exit());
            assertEquals(255, Cmd.run(ns.wrap(sshArgs(bob, "boxd", ip, 22, "true")), null, 60, null).exit(),
                    "bob's key is not authorized on alice's box");

            // DNS answers the box's address
            Cmd.Result dig = ns.exec("dig", "@127.0.0.1", "-p", Integer.toString(DNS), "+short", "e2e.boxd.local");
            assertEquals(ip, dig.stdout().strip(), dig.stderr());

            // inside the box, its resolver (resolv.conf -> the bridge gateway's port 53, serve's box-dns) answers the
            // zone, and refuses other names at once since egress is off (no timeout: glibc gives up on REFUSED)
            assertTrue(serveLog().contains("box-dns: resolver for boxes on 10.77.0.1:53 udp+tcp"), serveLog());
            Cmd.Result own = ssh(alice, "alice", null, "exec", "e2e", "--", "getent", "hosts", "e2e.boxd.local");
            assertEquals(0, own.exit(), own.stdout() + own.stderr());
            assertEquals(ip, own.stdout().strip().split("\\s+")[0], own.stdout());
            Cmd.Result outside = ssh(alice, "alice", null, "exec", "e2e", "--", "sh", "-c",
                    "'t=$(date +%s%N); getent hosts example.com; echo rc=$? ms=$(( ($(date +%s%N) - t) / 1000000 ))'");
            assertTrue(outside.stdout().strip().startsWith("rc=2 ms="), "not found: " + outside.stdout() + outside.stderr());
            long outsideMs = Long.parseLong(outside.stdout().strip().replaceAll(".*ms=", ""));
            assertTrue(outsideMs < 3000, "a name outside the zone fails fast, not after resolver timeouts: " + outsideMs + " ms");

            // the HTTP proxy reaches a web server started in the box
            Cmd.Result web = ssh(alice, "alice", null, "exec", "e2e", "--",
                    "cd /tmp && echo hello-from-e2e > index.html && (setsid python3 -m http.server 8000 >/dev/null 2>&1 < /dev/null &)");
            assertEquals(0, web.exit(), web.stderr());
            String page = eventually("the proxy to serve the box's page", 60, () -> {
                Cmd.Result c = ns.exec("curl", "-s", "--max-time", "5", "-H", "Host: e2e.boxd.local", "http://127.0.0.1:" + HTTP + "/index.html");
                return c.exit() == 0 && c.stdout().contains("hello-from-e2e") ? c.stdout() : null;
            });
            assertTrue(page.contains("hello-from-e2e"));
            // and through the front door with ssh -W: the box's sshd connects to its own loopback
            List<String> w = new ArrayList<>(sshArgs(alice, "e2e", "127.0.0.1", SSH));
            w.addAll(1, List.of("-W", "127.0.0.1:8000"));
            Cmd.Result tunnelled = Cmd.run(ns.wrap(w), "GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.UTF_8), 60, null);
            assertTrue(tunnelled.stdout().contains("hello-from-e2e"), tunnelled.stdout() + tunnelled.stderr());

            // kill -9 and restart: the box is listed and reachable again
            serve.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            serve = startServe(jar);
            Cmd.Result listed = ssh(alice, "alice", null, "list", "--json");
            assertTrue(listed.stdout().contains("\"e2e\""), listed.stdout() + listed.stderr());
            eventually("the box to answer again after the restart", 120, () -> {
                Cmd.Result h = ssh(alice, "alice", null, "exec", "e2e", "--", "hostname");
                return h.exit() == 0 && h.stdout().strip().equals("e2e") ? "yes" : null;
            });

            // destroy removes it and frees its address
            Cmd.Result destroyed = ssh(alice, "alice", null, "destroy", "e2e");
            assertEquals(0, destroyed.exit(), destroyed.stderr());
            eventually("the box to be gone", 120, () -> {
                Cmd.Result l = ssh(alice, "alice", null, "list", "--json");
                return l.exit() == 0 && !l.stdout().contains("\"e2e\"") ? "gone" : null;
            });
            Cmd.Result next = ssh(alice, "alice", null, "new", "--name=e2e2", "--no-wait", "--json");
            assertEquals(0, next.exit(), next.stderr());
            assertEquals(ip, Json.parseObject(next.stdout().strip()).get("ipv4"), "the lowest free address is the freed one");
            assertEquals(0, ssh(alice, "alice", null, "destroy", "e2e2").exit());
            eventually("the second box to be gone", 120, () -> {
                Cmd.Result l = ssh(alice, "alice", null, "list", "--json");
                return l.exit() == 0 && !l.stdout().contains("\"e2e2\"") ? "gone" : null;
            });

            // Ctrl-C stops serve cleanly
            Process p = serve.process();
            long pid = p.pid();
            Cmd.run("kill", "-INT", Long.toString(pid));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve stops within a minute of SIGINT\n" + serveLog());
            assertEquals(0, p.exitValue(), serveLog());
            assertTrue(serveLog().contains("stopping (SIGINT)"), serveLog());
        } finally {
            if (serve != null) serve.close();
            try {
                cleanUpBoxes();
            } finally {
                ns.close();
            }
        }
    }

    /** Starts serve in the namespace and waits for its "ready:" line. */
    private ServeProcess startServe(Path jar) throws Exception {
        return ServeProcess.start(jar, ns.name(), data, log, List.of("--ssh-port", Integer.toString(SSH),
                "--dns-port", Integer.toString(DNS), "--http-port", Integer.toString(HTTP), "--https-port", "8443"));
    }

    private String serveLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no serve log: " + e.getMessage() + ")";
        }
    }

    private Cmd.Result ssh(Path key, String user, byte[] stdin, String... verb) {
        return Cmd.run(ns.wrap(sshArgs(key, user, "127.0.0.1", SSH, verb)), stdin, 300, null);
    }

    private static List<String> sshArgs(Path key, String user, String host, int port, String... command) {
        List<String> a = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port), "-i", key.toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
                user + "@" + host));
        a.addAll(List.of(command));
        return a;
    }

    private static String shellJoin(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) sb.append('\'').append(a.replace("'", "'\\''")).append("' ");
        return sb.toString();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String eventually(String what, int seconds, Supplier<String> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String r = attempt.get();
            if (r != null) return r;
            if (System.nanoTime() > deadline) fail("timed out after " + seconds + " s waiting for " + what);
            Thread.sleep(1000);
        }
    }

    /** Boxes are separate processes (ns runtime) that outlive serve: tear down whatever a failed assertion left. */
    private void cleanUpBoxes() {
        try {
            NamespaceRuntime rt = new NamespaceRuntime(new DataDir(data), new BoxNetwork("boxd0", "10.77.0.1", 16, ns.name(), false), tmp);
            for (String id : rt.list()) rt.destroy(id);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("EndToEndIT clean-up: " + e);
        }
    }
}
