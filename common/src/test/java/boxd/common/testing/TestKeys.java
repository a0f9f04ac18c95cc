package boxd.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** SSH keys made by the real {@code ssh-keygen}, as a user would have them. */
public final class TestKeys {
    private TestKeys() {}

    /** Creates an unencrypted ed25519 key at {@code dir/name} (and .pub); returns the private key path. */
    public static Path ed25519(Path dir, String name) {
        Host.requireCommand("ssh-keygen", "openssh-client");
        Path key = dir.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cmd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@test", "-f", key.toString()).requireSuccess();
        return key;
    }

    public static String publicLine(Path privateKey) {
        try {
            return Files.readString(Path.of(privateKey + ".pub")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
