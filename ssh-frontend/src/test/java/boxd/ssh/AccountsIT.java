package boxd.ssh;

import boxd.common.testing.Cmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static boxd.ssh.SshVerbsIT.fails;
import static boxd.ssh.SshVerbsIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Account policies, failed-login rate limiting, host keys and algorithms, with the real OpenSSH client. */
class AccountsIT {

    @Test
    void invitePolicyTurnsUnknownKeysAwayUntilTheyRegister(@TempDir Path dir) throws Exception {
        try (Frontend fe = Frontend.start(dir, AccountPolicy.INVITE, 1000, null, null)) {
            Path admin = fe.key("admin");
            Map<String, Object> me = Frontend.json(ok(fe.run(admin, "root", "whoami", "--json")));
            assertEquals(true, me.get("admin"), "the first key of an installation becomes its admin");

            Path newcomer = fe.key("newcomer");
            Cmd.Result refused = fails(1, "new users by invite only", fe.run(newcomer, "nina", "whoami"));
            assertTrue(refused.stderr().contains("register CODE"), refused.stderr());
            fails(1, "register CODE", fe.run(newcomer, "nina", "new", "--name=x", "--no-wait"));
            assertEquals("FORBIDDEN", SshVerbsIT.jsonError(fe.run(newcomer, "nina", "list", "--json")).get("code"));
            Cmd.Result lines = fe.runIn(newcomer, "nina", "list\n".getBytes(), "-T");
            assertTrue(lines.stderr().contains("register CODE"), lines.stderr());
            fails(1, "", fe.run(newcomer, "nina", "register", "bogus-code"));

            Map<String, Object> inv = Frontend.json(ok(fe.run(admin, "root", "invite", "--json")));
            String code = (String) inv.get("code");
            assertEquals("ssh -p " + fe.ssh.port() + " 127.0.0.1 register " + code, inv.get("command"),
                    "the instructions name this server as the user reaches it");
            assertTrue(ok(fe.run(admin, "root", "invite")).stdout().contains("register "));
            Cmd.Result reg = ok(fe.run(newcomer, "nina", "register", code));
            assertTrue(reg.stdout().contains("welcome, nina"), reg.stdout());
            assertEquals("nina", Frontend.json(ok(fe.run(newcomer, "nina", "whoami", "--json"))).get("user"));
            fails(1, "already belongs", fe.run(newcomer, "nina", "register", code));
            // a code works once
            fails(1, "", fe.run(fe.key("third"), "tom", "register", code));
            assertEquals("FORBIDDEN", SshVerbsIT.jsonError(fe.run(newcomer, "nina", "invite", "--json")).get("code"),
                    "only admins invite");
        }
    }

    @Test
    void failedLoginsFromOneAddressAreRateLimited(@TempDir Path dir) throws Exception {
        try (Frontend fe = Frontend.start(dir, AccountPolicy.OPEN, 3, null, null)) {
            Path key = fe.key("rl");
            ok(fe.run(key, "rl", "whoami"));
            for (int i = 0; i < 3; i++) {
                Cmd.Result r = fe.run(key, "rl", "-o", "PubkeyAuthentication=no", "whoami");
                assertEquals(255, r.exit(), r.stderr());
                assertTrue(r.stderr().contains("Permission denied"), r.stderr());
            }
            Cmd.Result blocked = fe.run(key, "rl", "whoami");
            assertEquals(255, blocked.exit(), "even a good key is refused for the rest of the minute: " + blocked.stdout());
        }
    }

    @Test
    void hostKeysAreMadeOnceAndAlgorithmsAreModern(@TempDir Path dir) throws Exception {
        List<String> first;
        try (Frontend fe = Frontend.start(dir)) {
            first = keyscan(fe.ssh.port());
            assertTrue(first.stream().anyMatch(l -> l.contains("ssh-ed25519")), first.toString());
            assertTrue(first.stream().anyMatch(l -> l.contains("ssh-rsa")), first.toString());
            Path key = fe.key("algo");
            fails255(fe.run(key, "algo", "-o", "KexAlgorithms=diffie-hellman-group14-sha1", "whoami"));
            fails255(fe.run(key, "algo", "-o", "Ciphers=aes128-cbc", "whoami"));
            fails255(fe.run(key, "algo", "-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha1", "whoami"));
            ok(fe.run(key, "algo", "-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha2-256-etm@openssh.com", "whoami"));
            ok(fe.run(key, "algo", "-o", "Ciphers=chacha20-poly1305@openssh.com", "-o", "KexAlgorithms=curve25519-sha256", "whoami"));
        }
        try (Frontend again = Frontend.start(dir)) {
            assertEquals(first.stream().map(AccountsIT::keyPart).sorted().toList(),
                    keyscan(again.ssh.port()).stream().map(AccountsIT::keyPart).sorted().toList(), "same host keys after a restart");
        }
    }

    private static void fails255(Cmd.Result r) {
        assertNotEquals(0, r.exit(), r.stdout());
    }

    private static String keyPart(String line) {
        String[] p = line.split("\\s+");
        return p[1] + " " + p[2];
    }

    private static List<String> keyscan(int port) {
        List<String> keys = new ArrayList<>();
        for (String t : List.of("ed25519", "rsa")) {
            Cmd.Result r = Cmd.run("ssh-keyscan", "-t", t, "-p", String.valueOf(port), "127.0.0.1");
            r.stdout().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(keys::add);
        }
        return keys;
    }
}
