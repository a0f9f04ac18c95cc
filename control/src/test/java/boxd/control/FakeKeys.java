package boxd.control;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Syntactically valid ssh-ed25519 authorized_keys lines with random key bytes (enough for accounts and fingerprints). */
final class FakeKeys {
    private FakeKeys() {}

    static String ed25519(Random random, String comment) {
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[32];
        random.nextBytes(key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(type.length).array());
        out.writeBytes(type);
        out.writeBytes(ByteBuffer.allocate(4).putInt(key.length).array());
        out.writeBytes(key);
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(out.toByteArray()) + " " + comment;
    }

    static String ed25519(long seed) {
        return ed25519(new Random(seed), "k" + seed);
    }
}
