package boxd.ssh.auth;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.User;

/**
 * Who runs a verb: the SSH user name they typed, the key they proved, and the account that key belongs to (null while
 * the key has no account, which only happens under the invite policy).
 *
 * @param sshUser     the user name of the SSH session ({@code ssh NAME@HOST}); a box name routes into that box
 * @param user        the account, or null for a key that still has to {@code register CODE}
 * @param keyLine     the authenticated key as an authorized_keys line
 * @param fingerprint its "SHA256:..." fingerprint
 * @param hostHint    how the user reaches this server, for hints: "ssh -p 2222 HOST"
 */
public record Caller(String sshUser, User user, String keyLine, String fingerprint, String hostHint) {

    public boolean registered() { return user != null; }

    /** {@return the account} @throws BoxdException FORBIDDEN with the invite instructions when there is none */
    public User requireUser() {
        if (user == null) {
            throw new BoxdException(ErrorCode.FORBIDDEN,
                    "this key (" + fingerprint + ") has no account on this server, which takes new users by invite only",
                    "ask an admin for an invite code, then run: " + hostHint + " register CODE");
        }
        return user;
    }

    public String name() { return requireUser().name(); }
}
