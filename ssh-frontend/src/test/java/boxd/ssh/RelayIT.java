package boxd.ssh;

import boxd.common.Box;
import boxd.common.PlatformKey;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static boxd.ssh.SshVerbsIT.fails;
import static boxd.ssh.SshVerbsIT.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * exec, connect, cp, sftp, NAME@HOST and ssh -L/-W (forwarding into the box) relayed into a real OpenSSH sshd standing
 * in for a running box (logged into with the platform key, as the frontend does with a box's sshd). The box record is
 * marked running the way a worker would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayIT {
    Path dir;
    TestSshd sshd;
    Frontend fe;
    Path key;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        PlatformKey pk = PlatformKey.loadOrCreate(dir.resolve("data").resolve("keys"));
        sshd = TestSshd.start(dir.resolve("sshd"), pk.authorizedKeyLine());
        fe = Frontend.start(dir, AccountPolicy.OPEN, 1000, b -> sshd.address(), System.getProperty("user.name"));
        key = fe.key("relay");
        ok(fe.run(key, "rita", "new", "--name=web", "--no-wait"));
        Box b = fe.markRunning("rita", "web");
        assertTrue(b.isRunning());
    }

    @AfterAll
    void stop() {
        if (fe != null) fe.close();
        if (sshd != null) sshd.close();
    }

    @Test
    void execKeepsStdoutAndStderrApartAndReturnsTheExitStatus() {
        Cmd.Result r = fe.run(key, "rita", "exec", "web", "--", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exit(), r.stderr());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertEquals(0, fe.run(key, "rita", "exec", "web", "--", "true").exit());
        assertEquals(1, fe.run(key, "rita", "exec", "web", "--", "false").exit());
        Map<String, Object> j = Frontend.json(fe.run(key, "rita", "exec", "web", "--json", "--", "echo out; echo err >&2; exit 3"));
        assertEquals(3L, j.get("exit"));
        assertEquals("out\n", j.get("stdout"));
        assertEquals("err\n", j.get("stderr"));
        // without --, the words after the box name are the command
        assertEquals("a b\n", ok(fe.run(key, "rita", "exec", "web", "echo", "a", "b")).stdout());
    }

    @Test
    void execStreamsStdinAndSetsEnvironmentAndTimesOut() {
        byte[] in = new byte[300_000];
        new Random(1).nextBytes(in);
        assertEquals("300000", ok(fe.runIn(key, "rita", in, "exec", "web", "--", "wc -c")).stdout().strip());
        assertEquals("hi there\n", ok(fe.run(key, "rita", "exec", "web", "-e", "GREETING='hi there'", "--", "echo $GREETING")).stdout());
        long t0 = System.nanoTime();
        Cmd.Result slow = fe.run(key, "rita", "exec", "web", "--timeout=1", "--", "sleep 20");
        assertEquals(124, slow.exit());
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "cut off near the timeout");
        fails(2, "-e needs NAME=VALUE", fe.run(key, "rita", "exec", "web", "-e", "1x", "--", "true"));
    }

    @Test
    void execWithTtyAndConnectGetATerminal() {
        Cmd.Result t = ok(fe.run(key, "rita", "exec", "web", "--tty", "--", "tty"));
        assertTrue(t.stdout().contains("/dev/pts/"), t.stdout());
        Cmd.Result c = fe.runIn(key, "rita", "tty; echo $((6*7)); exit 7\n".getBytes(), "-tt", "connect", "web");
        assertEquals(7, c.exit(), c.stdout() + c.stderr());
        assertTrue(c.stdout().contains("/dev/pts/") && c.stdout().contains("42"), c.stdout());
    }

    @Test
    void connectFollowsWindowResizes() throws Exception {
        boxd.common.testing.Host.requireCommand("tmux", "tmux");
        String socket = "boxd-relay-" + ProcessHandle.current().pid();
        String cmd = fe.sshArgv(key, "rita", "-t", "connect", "web").stream().map(boxd.ssh.verbs.CommandLine::quote)
                .collect(java.util.stream.Collectors.joining(" "));
        try {
            Cmd.run("tmux", "-L", socket, "new-session", "-d", "-s", "r", "-x", "100", "-y", "30",
                    "env TERM=xterm-256color PS1='box$ ' " + cmd).requireSuccess();
            Thread.sleep(1500);
            Cmd.run("tmux", "-L", socket, "send-keys", "-t", "r", "stty size", "Enter");
            awaitScreen(socket, "30 100");
            Cmd.run("tmux", "-L", socket, "resize-window", "-t", "r", "-x", "80", "-y", "24").requireSuccess();
            Thread.sleep(500);
            Cmd.run("tmux", "-L", socket, "send-keys", "-t", "r", "clear; stty size", "Enter");
            awaitScreen(socket, "24 80");
        } finally {
            Cmd.run("tmux", "-L", socket, "kill-server");
        }
    }

    private static void awaitScreen(String socket, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String s = "";
        while (System.nanoTime() < deadline) {
            s = Cmd.run("tmux", "-L", socket, "capture-pane", "-p", "-t", "r").stdout();
            if (s.lines().anyMatch(l -> l.strip().equals(text))) return;
            Thread.sleep(100);
        }
        throw new AssertionError("the box's terminal never showed '" + text + "':\n" + s);
    }

    @Test
    void nameAtHostRoutesIntoTheBox() {
        assertEquals("routed\n", ok(fe.run(key, "web", "echo routed")).stdout());
        Cmd.Result sh = fe.runIn(key, "web", "echo $((6*7)); exit 5\n".getBytes(), "-tt");
        assertEquals(5, sh.exit(), sh.stdout() + sh.stderr());
        assertTrue(sh.stdout().contains("42"), sh.stdout());
        // without a PTY the shell still runs, reading commands from stdin
        Cmd.Result plain = fe.runIn(key, "web", "echo plain\n".getBytes(), "-T");
        assertEquals("plain\n", plain.stdout());
    }

    @Test
    void cpTenMegabytesInAndOutWithTheSameChecksum() throws Exception {
        byte[] data = new byte[10 * 1024 * 1024];
        new Random(42).nextBytes(data);
        Path remote = dir.resolve("box-files").resolve("big.bin");
        Files.createDirectories(remote.getParent());
        Cmd.Result up = ok(fe.runIn(key, "rita", data, "cp", "-", "web:" + remote));
        assertTrue(up.stdout().contains(data.length + " bytes"), up.stdout());
        assertEquals(sha256(data), sha256(Files.readAllBytes(remote)));

        Path local = dir.resolve("down.bin");
        Process p = new ProcessBuilder(fe.sshArgv(key, "rita", "cp", "web:" + remote, "-"))
                .redirectOutput(local.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(sha256(data), sha256(Files.readAllBytes(local)));

        Map<String, Object> j = Frontend.json(ok(fe.runIn(key, "rita", "small".getBytes(), "cp", "-", "web:" + remote + ".s", "--json")));
        assertEquals(5L, j.get("bytes"));
        Map<String, Object> d = Frontend.json(ok(fe.run(key, "rita", "cp", "web:" + remote + ".s", "-", "--json")));
        assertArrayEquals("small".getBytes(), java.util.Base64.getDecoder().decode((String) d.get("data_base64")));
        fails(1, "cannot read", fe.run(key, "rita", "cp", "web:" + dir.resolve("nope"), "-"));
    }

    @Test
    void sftpAndScpToNameAtHostReachTheBoxsOwnSftpServer() throws Exception {
        Host.requireCommand("sftp", "openssh-client");
        Host.requireCommand("scp", "openssh-client");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Path local = dir.resolve("sftp-up.bin");
        Files.write(local, data);
        Path remote = Files.createDirectories(dir.resolve("sftp-box"));

        // scp -s: the SFTP protocol (scp's default since OpenSSH 9.0), relayed to the box's sftp subsystem
        ok(Cmd.run(fe.fileClientArgv("scp", key, "-s", local.toString(), "web@127.0.0.1:" + remote.resolve("a.bin")), null, 60, null));
        assertEquals(sha256(data), sha256(Files.readAllBytes(remote.resolve("a.bin"))));
        Path back = dir.resolve("scp-back.bin");
        ok(Cmd.run(fe.fileClientArgv("scp", key, "-s", "web@127.0.0.1:" + remote.resolve("a.bin"), back.toString()), null, 60, null));
        assertEquals(sha256(data), sha256(Files.readAllBytes(back)));
        // scp -O: the original protocol, which is an exec of "scp -t" in the box
        ok(Cmd.run(fe.fileClientArgv("scp", key, "-O", local.toString(), "web@127.0.0.1:" + remote.resolve("o.bin")), null, 60, null));
        assertEquals(sha256(data), sha256(Files.readAllBytes(remote.resolve("o.bin"))));

        // an sftp session: a rename and a listing happen in the box
        Path got = dir.resolve("sftp-got.bin");
        String batch = "cd " + remote + "\nrename a.bin b.bin\nls -1\nget b.bin " + got + "\n";
        Cmd.Result s = ok(Cmd.run(fe.fileClientArgv("sftp", key, "-b", "-", "web@127.0.0.1"),
                batch.getBytes(StandardCharsets.UTF_8), 60, null));
        assertTrue(s.stdout().contains("b.bin"), s.stdout());
        assertTrue(Files.exists(remote.resolve("b.bin")) && !Files.exists(remote.resolve("a.bin")));
        assertEquals(sha256(data), sha256(Files.readAllBytes(got)));

        // the frontend itself serves no files: without a box in the user name, sftp is refused with what to do
        Cmd.Result refused = Cmd.run(fe.fileClientArgv("sftp", key, "-b", "-", "rita@127.0.0.1"),
                "ls\n".getBytes(StandardCharsets.UTF_8), 60, null);
        assertTrue(refused.exit() != 0, refused.stdout());
        assertTrue(refused.stderr().contains("put its name before the host"), refused.stderr());
        // nor does another user's key reach the box that way
        Path other = fe.key("relay-other");
        ok(fe.run(other, "otto", "whoami"));
        Cmd.Result foreign = Cmd.run(fe.fileClientArgv("scp", other, "-s", local.toString(), "web@127.0.0.1:" + remote.resolve("x.bin")),
                null, 60, null);
        assertTrue(foreign.exit() != 0, foreign.stdout());
        assertTrue(!Files.exists(remote.resolve("x.bin")));
    }

    @Test
    void concurrentExecsShareTheRelay() throws Exception {
        List<java.util.concurrent.CompletableFuture<Cmd.Result>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int n = i;
            all.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> fe.run(key, "rita", "exec", "web", "--", "echo " + n)));
        }
        for (int i = 0; i < all.size(); i++) assertEquals(i + "\n", ok(all.get(i).get()).stdout());
    }

    /** {@return how many logins the stand-in box's sshd has logged} */
    private long logins() throws IOException {
        return Files.readAllLines(dir.resolve("sshd").resolve("sshd.log")).stream().filter(l -> l.contains("Accepted publickey")).count();
    }

    @Test
    void localForwardReachesAPortOfTheBoxBothWaysAndPassesCloses() throws Exception {
        try (EchoServer echo = new EchoServer(); Forward fw = Forward.start(this, key, "web", echo.port())) {
            // one connection after another, each ended by the client's EOF (echoed back as the server's close)
            for (int i = 0; i < 3; i++) {
                try (Socket s = fw.connect()) {
                    s.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    assertEquals("hello " + i, readLine(s));
                    s.shutdownOutput();
                    assertEquals(-1, s.getInputStream().read(), "the server's close reaches the client");
                }
            }
            assertEquals(3, echo.accepted.get());
            // two at once, answered independently
            try (Socket a = fw.connect(); Socket b = fw.connect()) {
                a.getOutputStream().write("from a\n".getBytes(StandardCharsets.UTF_8));
                b.getOutputStream().write("from b\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("from b", readLine(b));
                assertEquals("from a", readLine(a));
                a.getOutputStream().write("a again\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("a again", readLine(a));
            }
            // many at once, more than the sessions a box's sshd allows per connection: they share one connection
            long logins = logins();
            List<Socket> many = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 24; i++) many.add(fw.connect());
                for (int i = 0; i < many.size(); i++) many.get(i).getOutputStream().write(("m" + i + "\n").getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < many.size(); i++) assertEquals("m" + i, readLine(many.get(i)));
            } finally {
                for (Socket m : many) m.close();
            }
            assertTrue(logins() - logins <= 1, "24 forwarded connections took " + (logins() - logins) + " new box logins");
            // a few megabytes there and back, more than any window, with the same checksum
            byte[] big = new byte[6 * 1024 * 1024 + 5];
            new Random(3).nextBytes(big);
            try (Socket s = fw.connect()) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(big);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                byte[] back = s.getInputStream().readAllBytes();
                writer.get(60, TimeUnit.SECONDS);
                assertEquals(big.length, back.length);
                assertEquals(sha256(big), sha256(back));
            }
            // the client closing its end ends the server's connection
            int before = echo.ended.size();
            Socket s = fw.connect();
            s.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("x", readLine(s));
            Socket served = echo.lastConnection();
            s.close();
            assertTrue(echo.awaitEnded(served, 15), "the box-side connection ended after the client closed");
            assertTrue(echo.ended.size() > before);
        }
    }

    @Test
    void stdioForwardCarriesStdinAndStdout() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 20_000; i++) text.append("line ").append(i).append('\n');
            Cmd.Result r = Cmd.run(fe.sshArgv(key, "web", "-W127.0.0.1:" + echo.port()),
                    text.toString().getBytes(StandardCharsets.UTF_8), 60, null);
            assertEquals(0, r.exit(), r.stderr());
            assertEquals(text.toString(), r.stdout());
            assertEquals(1, echo.accepted.get());
        }
    }

    @Test
    void forwardingIsRefusedWithoutABoxOfTheCallersAndRemoteForwardingIsOff() throws Exception {
        Path other = fe.key("relay-forward-other");
        ok(fe.run(other, "otto", "whoami"));
        try (EchoServer echo = new EchoServer()) {
            // a plain session (no box in the user name), and another user's box
            for (Forward.Who who : List.of(new Forward.Who(key, "rita"), new Forward.Who(other, "web"))) {
                try (Forward fw = Forward.start(this, who.key(), who.user(), echo.port())) {
                    try (Socket s = fw.connect()) {
                        s.setSoTimeout(15_000);
                        s.getOutputStream().write("anyone?\n".getBytes(StandardCharsets.UTF_8));
                        assertEquals(-1, s.getInputStream().read(), "a refused channel closes the connection");
                    } catch (java.net.SocketException reset) {
                        // closed before the write: refused as well
                    }
                    String err = fw.awaitStderr("open failed", 15);
                    assertTrue(err.contains("forwarding goes to a box"), who.user() + ": " + err);
                }
                Cmd.Result w = Cmd.run(logInfo(fe.sshArgv(who.key(), who.user(), "-W127.0.0.1:" + echo.port())),
                        new byte[0], 60, null);
                assertTrue(w.exit() != 0, w.stdout());
                assertTrue(w.stderr().contains("open failed"), w.stderr());
            }
            assertEquals(0, echo.accepted.get(), "nothing reached the target");
            // a port the box cannot connect to: the box's own refusal is passed on
            int closed;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = tmp.getLocalPort();
            }
            Cmd.Result refused = Cmd.run(logInfo(fe.sshArgv(key, "web", "-W127.0.0.1:" + closed)), new byte[0], 60, null);
            assertTrue(refused.exit() != 0 && refused.stderr().contains("open failed"), refused.stderr());
            // -R: the frontend listens on nothing for anyone
            Cmd.Result r = Cmd.run(fe.sshArgv(key, "web", "-N", "-o", "ExitOnForwardFailure=yes", "-R0:127.0.0.1:" + echo.port()),
                    null, 60, null);
            assertTrue(r.exit() != 0 && r.stderr().contains("forwarding failed"), r.exit() + " " + r.stderr());
        }
    }

    /** ssh reports a refused channel ("channel N: open failed: ...") at its default log level, INFO. */
    static List<String> logInfo(List<String> argv) {
        return argv.stream().map(a -> a.equals("LogLevel=ERROR") ? "LogLevel=INFO" : a).toList();
    }

    private static String readLine(Socket s) throws IOException {
        s.setSoTimeout(30_000);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) throw new IOException("connection closed after '" + line + "'");
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** A TCP echo server on 127.0.0.1 standing in for a service in the box; each connection ends at the client's EOF. */
    static final class EchoServer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        final List<Socket> connections = new CopyOnWriteArrayList<>();
        final Set<Socket> ended = ConcurrentHashMap.newKeySet();
        EchoServer() throws IOException {
            Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket c = server.accept();
                        accepted.incrementAndGet();
                        connections.add(c);
                        Thread.ofPlatform().daemon().start(() -> serve(c));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket c) {
            try (c) {
                c.getInputStream().transferTo(c.getOutputStream());
            } catch (IOException e) {
                // a reset ends it as well
            } finally {
                synchronized (ended) {
                    ended.add(c);
                    ended.notifyAll();
                }
            }
        }

        int port() { return server.getLocalPort(); }

        Socket lastConnection() { return connections.get(connections.size() - 1); }

        boolean awaitEnded(Socket c, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            synchronized (ended) {
                while (!ended.contains(c)) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) return false;
                    ended.wait(left);
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket c : connections) c.close();
        }
    }

    /** A backgrounded {@code ssh -N -L LPORT:127.0.0.1:TPORT USER@frontend}, killed on close. */
    static final class Forward implements AutoCloseable {
        record Who(Path key, String user) { }

        final Process process;
        final int localPort;
        final Path stderr;

        private Forward(Process process, int localPort, Path stderr) {
            this.process = process;
            this.localPort = localPort;
            this.stderr = stderr;
        }

        static Forward start(RelayIT t, Path key, String user, int targetPort) throws Exception {
            int lport;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                lport = tmp.getLocalPort();
            }
            Path err = Files.createTempFile(t.dir, "forward", ".err");
            Process p = new ProcessBuilder(logInfo(t.fe.sshArgv(key, user, "-N", "-o", "ExitOnForwardFailure=yes",
                    "-L" + "127.0.0.1:" + lport + ":127.0.0.1:" + targetPort)))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            Forward f = new Forward(p, lport, err);
            try {
                long deadline = System.nanoTime() + 20_000_000_000L;
                // wait for ssh's listener without connecting to it (a probe would open a forwarded connection)
                while (!listening(lport)) {
                    if (!p.isAlive()) throw new AssertionError("ssh -L exited: " + Files.readString(err));
                    if (System.nanoTime() > deadline) throw new AssertionError("ssh -L never listened: " + Files.readString(err));
                    Thread.sleep(50);
                }
                return f;
            } catch (Throwable e) {
                f.close();
                throw e;
            }
        }

        private static boolean listening(int port) throws IOException {
            String local = String.format("0100007F:%04X", port);
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].equals(local) && f[3].equals("0A")) return true;
            }
            return false;
        }

        Socket connect() throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), localPort);
            s.setSoTimeout(30_000);
            return s;
        }

        String awaitStderr(String text, int seconds) throws Exception {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            String s = Files.readString(stderr);
            while (!s.contains(text) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                s = Files.readString(stderr);
            }
            return s;
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
