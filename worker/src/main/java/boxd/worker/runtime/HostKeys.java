package boxd.worker.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A box's own sshd host keys (ed25519 and ECDSA P-256), made in this process and written in OpenSSH's own formats
 * ({@code openssh-key-v1} private key, unencrypted; one-line public key), the same files {@code ssh-keygen -N ''}
 * writes: starting a box then runs no {@code ssh-keygen} (two process starts, tens to hundreds of ms on a busy host).
 */
public final class HostKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private HostKeys() {}

    /** Writes {@code ssh_host_ed25519_key} and {@code ssh_host_ecdsa_key} (mode 600) and their {@code .pub} into {@code dir}. */
    public static void write(Path dir, String comment) throws IOException {
        try {
            KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
            KeyPair e = ed.generateKeyPair();
            byte[] edPub = Arrays.copyOfRange(e.getPublic().getEncoded(), 12, 44);  // X.509 prefix is 12 bytes
            byte[] seed = ((EdECPrivateKey) e.getPrivate()).getBytes()
                    .orElseThrow(() -> new GeneralSecurityException("no Ed25519 seed"));
            byte[] edBlob = blob("ssh-ed25519", edPub);
            ByteArrayOutputStream edPriv = new ByteArrayOutputStream();
            string(edPriv, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            string(edPriv, edPub);
            byte[] sk = new byte[64];
            System.arraycopy(seed, 0, sk, 0, 32);
            System.arraycopy(edPub, 0, sk, 32, 32);
            string(edPriv, sk);
            save(dir.resolve("ssh_host_ed25519_key"), "ssh-ed25519", edBlob, edPriv.toByteArray(), comment);

            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair k = ec.generateKeyPair();
            ECPublicKey pub = (ECPublicKey) k.getPublic();
            byte[] q = new byte[65];
            q[0] = 4;
            unsigned(pub.getW().getAffineX(), q, 1);
            unsigned(pub.getW().getAffineY(), q, 33);
            byte[] ecBlob = blob("ecdsa-sha2-nistp256", "nistp256".getBytes(StandardCharsets.US_ASCII), q);
            ByteArrayOutputStream ecPriv = new ByteArrayOutputStream();
            string(ecPriv, "ecdsa-sha2-nistp256".getBytes(StandardCharsets.US_ASCII));
            string(ecPriv, "nistp256".getBytes(StandardCharsets.US_ASCII));
            string(ecPriv, q);
            string(ecPriv, ((ECPrivateKey) k.getPrivate()).getS().toByteArray());  // mpint: two's complement, big-endian
            save(dir.resolve("ssh_host_ecdsa_key"), "ecdsa-sha2-nistp256", ecBlob, ecPriv.toByteArray(), comment);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519/P-256 keys: " + e.getMessage(), e);
        }
    }

    private static void save(Path file, String type, byte[] publicBlob, byte[] privateFields, String comment) throws IOException {
        ByteArrayOutputStream sec = new ByteArrayOutputStream();
        int check = RANDOM.nextInt();
        uint32(sec, check);
        uint32(sec, check);
        sec.writeBytes(privateFields);
        string(sec, comment.getBytes(StandardCharsets.UTF_8));
        for (int pad = 1; sec.size() % 8 != 0; pad++) sec.write(pad);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
        string(out, "none".getBytes(StandardCharsets.US_ASCII));  // cipher
        string(out, "none".getBytes(StandardCharsets.US_ASCII));  // kdf
        string(out, new byte[0]);                                 // kdf options
        uint32(out, 1);                                           // number of keys
        string(out, publicBlob);
        string(out, sec.toByteArray());
        String b64 = Base64.getEncoder().encodeToString(out.toByteArray());
        StringBuilder pem = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
        for (int i = 0; i < b64.length(); i += 70) pem.append(b64, i, Math.min(b64.length(), i + 70)).append('\n');
        pem.append("-----END OPENSSH PRIVATE KEY-----\n");

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, pem);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                type + " " + Base64.getEncoder().encodeToString(publicBlob) + " " + comment + "\n");
    }

    private static byte[] blob(String type, byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        string(out, type.getBytes(StandardCharsets.US_ASCII));
        for (byte[] f : fields) string(out, f);
        return out.toByteArray();
    }

    private static void unsigned(BigInteger v, byte[] dst, int off) {
        byte[] b = v.toByteArray();
        int start = b.length > 32 ? b.length - 32 : 0;
        int len = b.length - start;
        System.arraycopy(b, start, dst, off + 32 - len, len);
    }

    private static void uint32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void string(ByteArrayOutputStream out, byte[] b) {
        uint32(out, b.length);
        out.writeBytes(b);
    }
}
