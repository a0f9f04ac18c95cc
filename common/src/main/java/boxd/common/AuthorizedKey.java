package boxd.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

/**
 * One public key in OpenSSH authorized_keys form ("TYPE BASE64 [COMMENT]"), checked: a known type, valid base64, and
 * a key blob whose first field names the same type.
 */
public record AuthorizedKey(String type, byte[] blob, String comment) {
    private static final Set<String> TYPES = Set.of(
            "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com");

    /** Parses a line. @throws BoxdException INVALID with the reason */
    public static AuthorizedKey parse(String line) {
        String hint = "paste one line of your ~/.ssh/id_*.pub, e.g. 'ssh-ed25519 AAAA... you@host'";
        if (line == null || line.isBlank() || line.length() > 16_384)
            throw new BoxdException(ErrorCode.INVALID, "not a public key", hint);
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2 || !TYPES.contains(parts[0]))
            throw new BoxdException(ErrorCode.INVALID, "not a public key: unknown key type '"
                    + Names.abbreviate(parts[0]) + "'", hint);
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new BoxdException(ErrorCode.INVALID, "not a public key: the key data is not base64", hint);
        }
        String inner = readString(blob);
        if (!parts[0].equals(inner))
            throw new BoxdException(ErrorCode.INVALID, "not a public key: the key data does not match its type " + parts[0], hint);
        return new AuthorizedKey(parts[0], blob, parts.length == 3 ? parts[2] : "");
    }

    /** Builds the line for a raw key blob (as produced by SSH encoders). */
    public static AuthorizedKey of(byte[] blob, String comment) {
        return new AuthorizedKey(readString(blob), blob.clone(), comment == null ? "" : comment);
    }

    /** {@return "SHA256:" and the unpadded base64 of the blob's SHA-256, as {@code ssh-keygen -lf} prints it} */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the canonical authorized_keys line} */
    public String line() {
        String base = type + " " + Base64.getEncoder().encodeToString(blob);
        return comment.isEmpty() ? base : base + " " + comment;
    }

    private static String readString(byte[] blob) {
        if (blob.length < 4) return "";
        int len = ByteBuffer.wrap(blob, 0, 4).getInt();
        if (len <= 0 || len > blob.length - 4 || len > 64) return "";
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }
}
