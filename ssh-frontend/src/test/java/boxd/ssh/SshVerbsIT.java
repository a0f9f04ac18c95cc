package boxd.ssh;

import boxd.common.Box;
import boxd.common.testing.Cmd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every verb, in human and JSON form, through the real OpenSSH client against a real single-node control plane. No
 * worker runs here, so boxes stay pending (relaying into running boxes is {@link RelayIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshVerbsIT {
    Frontend fe;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        fe = Frontend.start(dir);
    }

    @AfterAll
    void stop() {
        if (fe != null) fe.close();
    }

    static Cmd.Result ok(Cmd.Result r) {
        assertEquals(0, r.exit(), () -> "exit " + r.exit() + "\nstdout: " + r.stdout() + "\nstderr: " + r.stderr());
        return r;
    }

    static Cmd.Result fails(int exit, String stderrPart, Cmd.Result r) {
        assertEquals(exit, r.exit(), () -> "exit " + r.exit() + "\nstdout: " + r.stdout() + "\nstderr: " + r.stderr());
        assertTrue(r.stderr().contains(stderrPart), () -> "stderr lacks '" + stderrPart + "': " + r.stderr());
        assertTrue(r.stderr().contains("hint: ") || r.stderr().contains("\"hint\""), () -> "no hint: " + r.stderr());
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonError(Cmd.Result r) {
        return (Map<String, Object>) boxd.common.Json.parseObject(r.stderr().strip()).get("error");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> boxes(Map<String, Object> list) {
        return (List<Map<String, Object>>) list.get("boxes");
    }

    @Test
    void firstAccountIsAdminAndNamedAfterTheSshUser() {
        Path key = fe.key("whoami");
        Cmd.Result r = ok(fe.run(key, "carol", "whoami"));
        assertTrue(r.stdout().startsWith("carol"), r.stdout());
        assertTrue(r.stdout().contains("SHA256:"), r.stdout());
        Map<String, Object> m = Frontend.json(ok(fe.run(key, "anything", "whoami", "--json")));
        assertEquals("carol", m.get("user"), "the key is the account, whatever user name is typed later");
        assertTrue(((String) m.get("fingerprint")).startsWith("SHA256:"));
        assertEquals(0L, m.get("boxes"));
        // a taken or invalid user name gets a generated account name
        Map<String, Object> other = Frontend.json(ok(fe.run(fe.key("whoami2"), "carol", "whoami", "--json")));
        assertNotEquals("carol", other.get("user"));
        assertEquals(false, other.get("admin"));
        Map<String, Object> bad = Frontend.json(ok(fe.run(fe.key("whoami3"), "Not_A_Label", "whoami", "--json")));
        assertTrue(((String) bad.get("user")).startsWith("user-"), bad.toString());
    }

    @Test
    void newListInfoDestroyRoundTrip() {
        Path key = fe.key("round");
        Cmd.Result created = ok(fe.run(key, "round", "new", "--name=web", "--cpus", "2", "--mem=1G", "--disk=8G", "--no-wait"));
        assertTrue(created.stdout().contains("web"), created.stdout());
        Map<String, Object> j = Frontend.json(ok(fe.run(key, "round", "new", "--name", "api", "--no-wait", "--json")));
        assertEquals("api", j.get("name"));
        assertEquals("pending", j.get("state"));
        assertEquals("api.boxd.test", j.get("host"));
        assertTrue(((String) j.get("ipv4")).startsWith("10.77."), j.toString());

        Cmd.Result list = ok(fe.run(key, "round", "list"));
        String[] lines = list.stdout().split("\n");
        assertTrue(lines[0].startsWith("NAME") && lines[0].contains("STATE") && lines[0].contains("IPV4"), list.stdout());
        assertTrue(lines[1].startsWith("api ") && lines[2].startsWith("web "), list.stdout());
        assertEquals(lines[0].indexOf("STATE"), lines[1].indexOf("pending"), "columns are aligned:\n" + list.stdout());
        List<Map<String, Object>> l = boxes(Frontend.json(ok(fe.run(key, "round", "ls", "--json"))));
        assertEquals(List.of("api", "web"), l.stream().map(b -> b.get("name")).toList());
        assertEquals(2L, l.get(1).get("cpus"));
        assertEquals(1024L, l.get(1).get("memory_mb"));
        assertEquals(8L, l.get(1).get("disk_gb"));

        Cmd.Result info = ok(fe.run(key, "round", "info", "web"));
        assertTrue(info.stdout().contains("pending") && info.stdout().contains("web.boxd.test"), info.stdout());
        assertEquals("web", Frontend.json(ok(fe.run(key, "round", "info", "web", "--json"))).get("name"));

        ok(fe.run(key, "round", "destroy", "web"));
        Map<String, Object> d = Frontend.json(ok(fe.run(key, "round", "rm", "api", "--json")));
        assertEquals(Map.of("name", "api", "destroyed", true), d);
        // destroyed boxes wait for a worker to tear them down; they show as destroying, and nothing new appears
        for (Map<String, Object> b : boxes(Frontend.json(ok(fe.run(key, "round", "list", "--json"))))) {
            assertEquals("destroyed", b.get("desired"), b.toString());
        }
    }

    @Test
    void newWaitsAndTimesOutWithProgress() {
        Path key = fe.key("wait");
        Cmd.Result r = fails(1, "not running after 1 s", fe.run(key, "wait", "new", "--name=slow", "--timeout=1"));
        // pending, or scheduled when another test of this class registered a worker first; never running
        assertTrue(r.stderr().matches("(?s).*box 'slow': (pending|scheduled).*"), "progress on stderr: " + r.stderr());
        Map<String, Object> e = jsonError(fe.run(key, "wait", "new", "--name=slow2", "--timeout=1", "--json"));
        assertEquals("TIMEOUT", e.get("code"));
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        Path key = fe.key("bad");
        ok(fe.run(key, "bad", "whoami"));
        fails(2, "unknown verb 'frobnicate'", fe.run(key, "bad", "frobnicate"));
        fails(2, "did you mean 'list'", fe.run(key, "bad", "lsit"));
        fails(2, "unknown flag '--colour'", fe.run(key, "bad", "new", "--name=x1", "--colour=red"));
        fails(1, "invalid box name 'Bad_Name'", fe.run(key, "bad", "new", "--name=Bad_Name", "--no-wait"));
        fails(2, "'info' needs an argument", fe.run(key, "bad", "info"));
        fails(2, "'destroy' takes at most 1 argument", fe.run(key, "bad", "destroy", "a", "b"));
        fails(1, "you have no box named 'ghost'", fe.run(key, "bad", "info", "ghost"));
        fails(1, "you have no box named 'ghost'", fe.run(key, "bad", "destroy", "ghost"));
        fails(2, "--mem must be a size", fe.run(key, "bad", "new", "--name=x2", "--mem=lots", "--no-wait"));
        fails(2, "--cpus must be a whole number", fe.run(key, "bad", "new", "--name=x3", "--cpus=0", "--no-wait"));
        fails(2, "unterminated", fe.run(key, "bad", "new", "--name='x4", "--no-wait"));
        Map<String, Object> e = jsonError(fe.run(key, "bad", "frobnicate", "--json"));
        assertEquals("INVALID", e.get("code"));
        assertTrue(((String) e.get("hint")).contains("help"), e.toString());
        assertEquals("NOT_FOUND", jsonError(fe.run(key, "bad", "info", "ghost", "--json")).get("code"));

        // a huge argument: as big as one argument of ssh itself may be (the kernel caps one at 128 KiB) ...
        String big = "a".repeat(120_000);
        fails(2, "over the limit", fe.run(key, "bad", "new", "--name=" + big, "--no-wait"));
        // ... and a 1 MB line in line mode
        byte[] script = ("new --name=" + "b".repeat(1_048_576) + " --no-wait\nwhoami\n").getBytes(StandardCharsets.UTF_8);
        Cmd.Result lm = fe.runIn(key, "bad", script, "-T");
        assertTrue(lm.stderr().contains("error:"), lm.stderr().length() > 500 ? lm.stderr().substring(0, 500) : lm.stderr());
        assertTrue(lm.stdout().contains("bad"), "the session goes on after the long line: " + lm.stdout());
        assertEquals(List.of(), boxes(Frontend.json(ok(fe.run(key, "bad", "list", "--json")))), "nothing was created");
    }

    @Test
    void helpListsEveryVerbAndExplainsOne() {
        Path key = fe.key("help");
        Cmd.Result h = ok(fe.run(key, "help", "help"));
        for (String v : List.of("new", "list", "info", "destroy", "exec", "connect", "cp", "reboot", "proxy", "expose",
                "whoami", "keys", "invite", "register", "help", "dash")) {
            assertTrue(h.stdout().contains("  " + v), "help mentions " + v + ":\n" + h.stdout());
        }
        Cmd.Result one = ok(fe.run(key, "help", "help", "exec"));
        assertTrue(one.stdout().contains("usage: exec NAME"), one.stdout());
        assertTrue(ok(fe.run(key, "help", "exec", "--help")).stdout().contains("usage: exec NAME"));
        Map<String, Object> j = Frontend.json(ok(fe.run(key, "help", "help", "--json")));
        assertTrue(((List<?>) j.get("verbs")).size() >= 16);
        assertEquals("cp", Frontend.json(ok(fe.run(key, "help", "help", "cp", "--json"))).get("name"));
        assertTrue(ok(fe.run(key, "help", "''")).stdout().contains("usage:"), "an empty command shows help");
    }

    @Test
    void pendingBoxesAreNotRunningForExecConnectCp() {
        Path key = fe.key("pend");
        ok(fe.run(key, "pend", "new", "--name=idle", "--no-wait"));
        fails(1, "box 'idle' is not running (it is ", fe.run(key, "pend", "exec", "idle", "--", "uname", "-a"));
        fails(1, "is not running", fe.run(key, "pend", "connect", "idle"));
        fails(1, "is not running", fe.runIn(key, "pend", "hello".getBytes(), "cp", "-", "idle:hello.txt"));
        fails(1, "is not running", fe.run(key, "pend", "cp", "idle:hello.txt", "-"));
        assertEquals("CONFLICT", jsonError(fe.run(key, "pend", "exec", "idle", "--json", "--", "true")).get("code"));
        fails(1, "is not running", fe.run(key, "idle", "uname"));
        fails(1, "is not running", fe.runIn(key, "idle", new byte[0], "-T"));
        fails(2, "'exec' needs a command", fe.run(key, "pend", "exec", "idle"));
        fails(2, "cp copies between", fe.run(key, "pend", "cp", "a", "b"));
    }

    @Test
    void anotherUserSeesAndReachesNoneOfTheBoxes() {
        Path alice = fe.key("alice");
        Path bob = fe.key("bob");
        ok(fe.run(alice, "alice", "new", "--name=secret", "--no-wait"));
        Box b = fe.client().boxByName("secret").orElseThrow();
        fe.markRunning(b.owner(), "secret");
        assertEquals(List.of(), boxes(Frontend.json(ok(fe.run(bob, "bob", "list", "--json")))));
        String nf = "you have no box named 'secret'";
        fails(1, nf, fe.run(bob, "bob", "info", "secret"));
        fails(1, nf, fe.run(bob, "bob", "exec", "secret", "--", "id"));
        fails(1, nf, fe.run(bob, "bob", "connect", "secret"));
        fails(1, nf, fe.runIn(bob, "bob", "x".getBytes(), "cp", "-", "secret:x"));
        fails(1, nf, fe.run(bob, "bob", "cp", "secret:/etc/passwd", "-"));
        fails(1, nf, fe.run(bob, "bob", "destroy", "secret"));
        fails(1, nf, fe.run(bob, "bob", "reboot", "secret"));
        fails(1, nf, fe.run(bob, "bob", "proxy", "set-port", "secret", "80"));
        fails(1, nf, fe.run(bob, "bob", "proxy", "new", "api", "--vm", "secret", "--port", "80"));
        fails(1, nf, fe.run(bob, "bob", "expose", "secret", "22"));
        // secret@HOST for bob is not alice's box: bob's own session (line mode here) instead
        Cmd.Result routed = fe.runIn(bob, "secret", "whoami\n".getBytes(), "-T");
        assertTrue(routed.stdout().startsWith("bob"), routed.stdout() + routed.stderr());
        assertEquals(0L, Frontend.json(ok(fe.run(bob, "secret", "whoami", "--json"))).get("boxes"));
        assertEquals("running", Frontend.json(ok(fe.run(alice, "alice", "info", "secret", "--json"))).get("state"),
                "alice's box is untouched");
    }

    @Test
    void keysListAddRemove() {
        Path key = fe.key("keys1");
        Path second = fe.key("keys2");
        ok(fe.run(key, "dora", "whoami"));
        Cmd.Result l = ok(fe.run(key, "dora", "keys"));
        assertTrue(l.stdout().contains("(this session)"), l.stdout());
        String line = boxd.common.testing.TestKeys.publicLine(second);
        Map<String, Object> added = Frontend.json(ok(fe.runIn(key, "dora", line.getBytes(), "keys", "add", "--json")));
        assertEquals("ssh-ed25519", added.get("type"));
        assertEquals("dora", Frontend.json(ok(fe.run(second, "x", "whoami", "--json"))).get("user"), "the new key logs into dora");
        List<?> keys = (List<?>) Frontend.json(ok(fe.run(key, "dora", "keys", "list", "--json"))).get("keys");
        assertEquals(2, keys.size());
        fails(2, "unknown keys action", fe.run(key, "dora", "keys", "frob"));
        fails(1, "not a public key", fe.run(key, "dora", "keys", "add", "ssh-ed25519", "AAAAnope"));
        String fp = (String) added.get("fingerprint");
        ok(fe.run(key, "dora", "keys", "remove", fp));
        assertEquals(1, ((List<?>) Frontend.json(ok(fe.run(key, "dora", "keys", "--json"))).get("keys")).size());
    }

    @Test
    void proxyAndExpose() {
        Path key = fe.key("px");
        ok(fe.run(key, "px", "new", "--name=site", "--no-wait"));
        Cmd.Result empty = ok(fe.run(key, "px", "proxy", "list"));
        assertTrue(empty.stdout().contains("port 8000"), empty.stdout());
        Map<String, Object> r = Frontend.json(ok(fe.run(key, "px", "proxy", "new", "api", "--vm", "site", "--port", "3000", "--json")));
        assertEquals("api.site.boxd.test", r.get("host"));
        assertEquals(3000L, r.get("port"));
        assertTrue(ok(fe.run(key, "px", "proxy", "set-port", "site", "8080")).stdout().contains("site.boxd.test"));
        Cmd.Result list = ok(fe.run(key, "px", "proxy", "list"));
        assertTrue(list.stdout().contains("api.site.boxd.test") && list.stdout().contains("3000"), list.stdout());
        assertEquals(2, ((List<?>) Frontend.json(ok(fe.run(key, "px", "proxy", "list", "--json"))).get("routes")).size());
        ok(fe.run(key, "px", "proxy", "delete", "api", "--vm", "site"));
        fails(2, "needs --vm", fe.run(key, "px", "proxy", "delete", "api"));
        fails(2, "needs --port", fe.run(key, "px", "proxy", "new", "x", "--vm", "site"));
        fails(2, "unknown proxy action", fe.run(key, "px", "proxy", "frob"));

        Map<String, Object> e = Frontend.json(ok(fe.run(key, "px", "expose", "site", "5432", "--json")));
        long pub = (Long) e.get("public_port");
        assertTrue(pub >= 40000 && pub <= 60000, e.toString());
        assertTrue(ok(fe.run(key, "px", "expose", "site", "5432", "--remove")).stdout().contains("no longer exposed"));
        fails(2, "PORT must be 1-65535", fe.run(key, "px", "expose", "site", "http"));
    }

    @Test
    void rebootAPendingBox() {
        Path key = fe.key("rb");
        ok(fe.run(key, "rb", "new", "--name=rebooty", "--no-wait"));
        fe.markRunning(fe.client().boxByName("rebooty").orElseThrow().owner(), "rebooty");
        Map<String, Object> r = Frontend.json(ok(fe.run(key, "rb", "reboot", "rebooty", "--json")));
        assertEquals(true, r.get("rebooting"));
        assertEquals("rebooting", Frontend.json(ok(fe.run(key, "rb", "info", "rebooty", "--json"))).get("desired"));
    }

    @Test
    void inviteNeedsAnAdmin() {
        // the first account of this installation is admin; whoever that is, a fresh non-admin cannot invite
        Path key = fe.key("nonadmin");
        ok(fe.run(key, "nonadmin", "whoami"));
        boolean admin = (Boolean) Frontend.json(ok(fe.run(key, "nonadmin", "whoami", "--json"))).get("admin");
        if (!admin) assertEquals("FORBIDDEN", jsonError(fe.run(key, "nonadmin", "invite", "--json")).get("code"));
    }

    @Test
    void lineModeRunsOneVerbPerLine() {
        Path key = fe.key("lines");
        Cmd.Result r = fe.runIn(key, "lines", "whoami\nlist --json\nnope\nwhoami --json\n".getBytes(), "-T");
        assertTrue(r.stdout().startsWith("lines"), r.stdout());
        assertTrue(r.stdout().contains("{\"boxes\":[]}"), r.stdout());
        assertTrue(r.stderr().contains("unknown verb 'nope'"), r.stderr());
    }

    @Test
    void dashNeedsATerminal() {
        fails(1, "needs a terminal", fe.run(fe.key("dash"), "dash", "dash"));
    }
}
