package boxd.common;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class NamesAndKeysTest {
    @Test
    void labelsFollowDnsRules() {
        assertTrue(Names.isValidLabel("web"));
        assertTrue(Names.isValidLabel("a-1"));
        assertTrue(Names.isValidLabel("x".repeat(63)));
        assertFalse(Names.isValidLabel("x".repeat(64)));
        assertFalse(Names.isValidLabel("-web"));
        assertFalse(Names.isValidLabel("web-"));
        assertFalse(Names.isValidLabel("Web"));
        assertFalse(Names.isValidLabel("we_b"));
        assertFalse(Names.isValidLabel(""));
        BoxdException e = assertThrows(BoxdException.class, () -> Names.requireLabel("box name", "Bad_Name"));
        assertEquals(ErrorCode.INVALID, e.code());
        assertFalse(e.hint().isEmpty());
    }

    @Test
    void platformKeyIsAValidAuthorizedKeyAndIsKept(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        PlatformKey first = PlatformKey.loadOrCreate(dir);
        AuthorizedKey parsed = AuthorizedKey.parse(first.authorizedKeyLine());
        assertEquals("ecdsa-sha2-nistp256", parsed.type());
        PlatformKey again = PlatformKey.loadOrCreate(dir);
        assertEquals(first.authorizedKeyLine(), again.authorizedKeyLine());
        assertTrue(Files.exists(dir.resolve("platform_ecdsa.pub")));
        if (boxd.common.testing.Host.hasCommand("ssh-keygen")) {
            // OpenSSH agrees with our encoding and fingerprint
            var r = boxd.common.testing.Cmd.run("ssh-keygen", "-lf", dir.resolve("platform_ecdsa.pub").toString()).requireSuccess();
            assertTrue(r.stdout().contains(parsed.fingerprint()), r.stdout() + " vs " + parsed.fingerprint());
        }
    }

    @Test
    void badKeysAreRefused() {
        assertThrows(BoxdException.class, () -> AuthorizedKey.parse("ssh-ed25519 notbase64!!"));
        assertThrows(BoxdException.class, () -> AuthorizedKey.parse("ssh-foo AAAA"));
        assertThrows(BoxdException.class, () -> AuthorizedKey.parse(""));
        // valid base64 but the blob names another type
        String rsaBlobAsEd = "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQ==";
        assertThrows(BoxdException.class, () -> AuthorizedKey.parse(rsaBlobAsEd));
    }

    @Test
    void specValidatesSizes() {
        assertThrows(BoxdException.class, () -> new BoxSpec(0, 512, 4, null));
        assertThrows(BoxdException.class, () -> new BoxSpec(1, 1, 4, null));
        assertEquals(BoxSpec.DEFAULT_IMAGE, new BoxSpec(1, 512, 4, null).image());
    }
}
