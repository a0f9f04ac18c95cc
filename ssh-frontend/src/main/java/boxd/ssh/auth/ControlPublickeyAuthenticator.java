package boxd.ssh.auth;

import boxd.common.AuthorizedKey;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import boxd.common.Names;
import boxd.common.User;
import boxd.ssh.AccountPolicy;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Public-key authentication backed by the control plane. Any well-formed key may log in: a known key is its account,
 * an unknown one gets an account under policy open, or a session that can only {@code register CODE} under policy
 * invite. OpenSSH asks twice per key (a probe, then a signed request), and MINA verifies the signature only after this
 * returns true, so nothing is created here: the key is remembered on the session and the account is bound by
 * {@link #resolve} once the session is authenticated (from a verb's own thread, never from the I/O thread).
 */
public final class ControlPublickeyAuthenticator implements PublickeyAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ControlPublickeyAuthenticator.class);
    private static final AttributeKey<PublicKey> OFFERED_KEY = new AttributeKey<>();
    private static final AttributeKey<Caller> CALLER = new AttributeKey<>();

    private final Control control;
    private final AccountPolicy policy;
    private final Supplier<String> hostHint;

    /** @param hostHint how users reach this server, for hints ("ssh -p 2222 HOST"); asked once per session */
    public ControlPublickeyAuthenticator(Control control, AccountPolicy policy, Supplier<String> hostHint) {
        this.control = control;
        this.policy = policy;
        this.hostHint = hostHint;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String line;
        try {
            line = PublicKeyEntry.toString(key);
            AuthorizedKey.parse(line);
        } catch (RuntimeException e) {
            log.debug("refusing key of unsupported type from {}: {}", session.getClientAddress(), e.getMessage());
            return false;
        }
        // the last key accepted before the Authenticated event is the one whose signature MINA then verified
        session.setAttribute(OFFERED_KEY, key);
        return true;
    }

    /**
     * {@return who is behind this authenticated session}, registering the key as a new account under policy open the
     * first time it is seen. Cached on the session once the key has an account (until then it is looked up again, so
     * {@code register CODE} takes effect at once).
     */
    public Caller resolve(ServerSession session) {
        Caller cached = session.getAttribute(CALLER);
        if (cached != null && cached.registered()) return cached;
        if (!session.isAuthenticated()) throw new BoxdException(ErrorCode.FORBIDDEN, "the session is not authenticated");
        PublicKey key = session.getAttribute(OFFERED_KEY);
        if (key == null) throw new BoxdException(ErrorCode.FORBIDDEN, "the session has no public key");
        AuthorizedKey ak = AuthorizedKey.parse(PublicKeyEntry.toString(key));
        String sshUser = session.getUsername();
        Optional<User> user = control.userByKeyFingerprint(ak.fingerprint());
        // under invite, the very first key still gets an account (the admin), or nobody could ever invite
        if (user.isEmpty() && (policy == AccountPolicy.OPEN || control.userCount() == 0)) user = Optional.of(register(sshUser, ak));
        Caller c = new Caller(sshUser, user.orElse(null), ak.line(), ak.fingerprint(), hostHint.get());
        session.setAttribute(CALLER, c);
        return c;
    }

    private User register(String sshUser, AuthorizedKey key) {
        String line = key.type() + " " + java.util.Base64.getEncoder().encodeToString(key.blob());
        if (Names.isValidLabel(sshUser) && control.user(sshUser).isEmpty()) {
            try {
                return control.registerUser(sshUser, line);
            } catch (BoxdException e) {
                if (e.code() == ErrorCode.KEY_TAKEN) return control.userByKeyFingerprint(key.fingerprint()).orElseThrow(() -> e);
                if (e.code() != ErrorCode.NAME_TAKEN && e.code() != ErrorCode.INVALID) throw e;
            }
        }
        for (int attempt = 0; ; attempt++) {
            String name = "user-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
            try {
                return control.registerUser(name, line);
            } catch (BoxdException e) {
                if (e.code() == ErrorCode.KEY_TAKEN) return control.userByKeyFingerprint(key.fingerprint()).orElseThrow(() -> e);
                if (e.code() != ErrorCode.NAME_TAKEN || attempt > 5) throw e;
            }
        }
    }

    public AccountPolicy policy() { return policy; }
}
