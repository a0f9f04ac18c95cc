package boxd.ssh;

/** What happens to a public key the installation has never seen. */
public enum AccountPolicy {
    /** The key becomes a new account (named after the SSH user name when that is a free, valid label). */
    OPEN,
    /** The key may only run {@code register CODE} with an invite code an admin made with {@code invite}. */
    INVITE;

    /** Parses "open" or "invite" (any case). @throws IllegalArgumentException naming the accepted values */
    public static AccountPolicy parse(String s) {
        for (AccountPolicy p : values()) if (p.name().equalsIgnoreCase(s == null ? "" : s.strip())) return p;
        throw new IllegalArgumentException("unknown account policy '" + s + "': use open or invite");
    }
}
