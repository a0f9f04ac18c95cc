package boxd.worker.runtime;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostKeysTest {
    @TempDir
    Path tmp;

    @Test
    void opensshReadsBothKeysAndDerivesTheWrittenPublicHalf() throws Exception {
        Host.requireCommand("ssh-keygen", "openssh-client");
        HostKeys.write(tmp, "root@box1");
        for (String k : new String[]{"ssh_host_ed25519_key", "ssh_host_ecdsa_key"}) {
            Path priv = tmp.resolve(k);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)), k);
            // ssh-keygen -y parses the private key and prints its public half
            Cmd.Result r = Cmd.run("ssh-keygen", "-y", "-f", priv.toString());
            assertEquals(0, r.exit(), k + ": " + r.stderr());
            String[] derived = r.stdout().strip().split(" ");
            String[] written = Files.readString(tmp.resolve(k + ".pub")).strip().split(" ");
            assertEquals(written[0], derived[0], k);
            assertEquals(written[1], derived[1], k);
            assertEquals("root@box1", written[2], k);
            // the private key is usable for signing: ssh-keygen -Y sign reads and uses it
            Path msg = tmp.resolve(k + ".msg");
            Files.writeString(msg, "hello");
            Cmd.Result s = Cmd.run("ssh-keygen", "-Y", "sign", "-n", "file", "-f", priv.toString(), msg.toString());
            assertEquals(0, s.exit(), k + " sign: " + s.stderr());
            Path signers = tmp.resolve(k + ".signers");
            Files.writeString(signers, "box " + written[0] + " " + written[1] + "\n");
            Cmd.Result v = Cmd.run(java.util.List.of("ssh-keygen", "-Y", "verify", "-n", "file", "-f", signers.toString(),
                    "-I", "box", "-s", msg + ".sig"), "hello".getBytes(), 30, null);
            assertEquals(0, v.exit(), k + " verify: " + v.stdout() + v.stderr());
        }
    }

    @Test
    void everyCallMakesNewKeys() throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        HostKeys.write(a, "root@a");
        HostKeys.write(b, "root@b");
        for (String k : new String[]{"ssh_host_ed25519_key", "ssh_host_ecdsa_key"}) {
            assertNotEquals(Files.readString(a.resolve(k)), Files.readString(b.resolve(k)), k);
            assertNotEquals(Files.readString(a.resolve(k + ".pub")).split(" ")[1],
                    Files.readString(b.resolve(k + ".pub")).split(" ")[1], k);
            assertTrue(Files.readString(a.resolve(k)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"), k);
        }
    }
}
