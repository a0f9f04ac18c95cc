package boxd.common;

/**
 * A public key of a user.
 *
 * @param fingerprint OpenSSH-style "SHA256:..." fingerprint, unique across all users
 * @param publicKey   the key as one authorized_keys line: "TYPE BASE64 [COMMENT]"
 */
public record SshKey(String user, String fingerprint, String publicKey, long addedAtMillis) {}
