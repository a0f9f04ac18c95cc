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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static boxd.ssh.SshVerbsIT.fails;
import static boxd.ssh.SshVerbsIT.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * exec, connect, cp and NAME@HOST relayed into a real OpenSSH sshd standing in for a running box (logged into with the
 * platform key, as the frontend does with a box's sshd). The box record is marked running the way a worker would.
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

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
