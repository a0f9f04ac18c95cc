package boxd.app.image;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The cache key of a built image: SHA-256 over every input that changes the output (recipe version, source
 * package version, config fragment, files copied in), each item framed with its name and length so that two
 * different input lists can never hash alike. The first 16 hex digits name the cache directory.
 */
public final class InputHash {
    private final MessageDigest sha;

    public InputHash(String artifact) {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        add("artifact", artifact);
    }

    public InputHash add(String name, String value) {
        return add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    public InputHash add(String name, byte[] value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        sha.update(longBytes(n.length));
        sha.update(n);
        sha.update(longBytes(value.length));
        sha.update(value);
        return this;
    }

    /** {@return the first 16 hex digits of the digest} */
    public String key() {
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
