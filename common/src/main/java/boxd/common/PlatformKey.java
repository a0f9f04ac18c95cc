package boxd.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The platform's own SSH key: the frontend logs into boxes' sshd with it (exec, connect, cp), and the worker puts its
 * public half into every box's authorized_keys. ECDSA P-256, because the JDK, MINA SSHD and OpenSSH all support it
 * without extra providers. Kept in {@code keys/platform_ecdsa.pk8} (PKCS#8 DER, mode 600) and
 * {@code keys/platform_ecdsa.pub} (one authorized_keys line).
 */
public record PlatformKey(KeyPair keyPair, String authorizedKeyLine) {

    public static PlatformKey loadOrCreate(Path keysDir) {
        Path priv = keysDir.resolve("platform_ecdsa.pk8");
        Path pub = keysDir.resolve("platform_ecdsa.x509");
        Path line = keysDir.resolve("platform_ecdsa.pub");
        try {
            KeyFactory kf = KeyFactory.getInstance("EC");
            if (Files.exists(priv) && Files.exists(pub)) {
                KeyPair kp = new KeyPair(kf.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub))),
                        kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv))));
                return new PlatformKey(kp, authorizedKeyLine((ECPublicKey) kp.getPublic()));
            }
            Files.createDirectories(keysDir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            Path tmp = keysDir.resolve("platform_ecdsa.pk8.tmp");
            Files.write(tmp, kp.getPrivate().getEncoded());
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // non-POSIX file system
            }
            Files.write(pub, kp.getPublic().getEncoded());
            String l = authorizedKeyLine((ECPublicKey) kp.getPublic());
            Files.writeString(line, l + "\n");
            Files.move(tmp, priv, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new PlatformKey(kp, l);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the platform key in " + keysDir + ": " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the platform key in " + keysDir + " is unreadable (" + e.getMessage()
                    + "); delete platform_ecdsa.* there to make a new one", e);
        }
    }

    /** Encodes a P-256 public key as an OpenSSH "ecdsa-sha2-nistp256" authorized_keys line. */
    static String authorizedKeyLine(ECPublicKey key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeString(out, "ecdsa-sha2-nistp256".getBytes(StandardCharsets.US_ASCII));
        writeString(out, "nistp256".getBytes(StandardCharsets.US_ASCII));
        byte[] point = new byte[65];
        point[0] = 4;
        copyUnsigned(key.getW().getAffineX(), point, 1);
        copyUnsigned(key.getW().getAffineY(), point, 33);
        writeString(out, point);
        return "ecdsa-sha2-nistp256 " + Base64.getEncoder().encodeToString(out.toByteArray()) + " boxd-platform";
    }

    private static void copyUnsigned(BigInteger v, byte[] dst, int off) {
        byte[] b = v.toByteArray();
        int start = b.length > 32 ? b.length - 32 : 0;
        int len = b.length - start;
        System.arraycopy(b, start, dst, off + 32 - len, len);
    }

    private static void writeString(ByteArrayOutputStream out, byte[] b) {
        out.write(b.length >>> 24);
        out.write(b.length >>> 16);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }
}
