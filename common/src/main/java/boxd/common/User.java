package boxd.common;

/** An account. It exists because one of its SSH keys was seen (policy open) or an invite was redeemed. */
public record User(String name, boolean admin, long createdAtMillis) {}
