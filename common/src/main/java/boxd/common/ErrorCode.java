package boxd.common;

/** Why an operation was refused. Stable: the names appear in JSON error output as {@code "code"}. */
public enum ErrorCode {
    /** The request itself is malformed: bad name, bad flag, value out of range. */
    INVALID,
    /** A box, user, key or route with that name does not exist (or belongs to someone else). */
    NOT_FOUND,
    /** The name is already used. */
    NAME_TAKEN,
    /** The key is already registered to an account. */
    KEY_TAKEN,
    /** The caller may not do this (not the owner, not an admin, invite required). */
    FORBIDDEN,
    /** No worker has room, or the address/port pool is exhausted. */
    NO_CAPACITY,
    /** A per-user or per-box limit was reached. */
    QUOTA,
    /** The box is not in a state that allows the operation (not running, being destroyed). */
    CONFLICT,
    /** The control plane has no leader or could not be reached; retrying later may succeed. */
    UNAVAILABLE,
    /** The operation did not complete in time. */
    TIMEOUT,
    /** A bug or an unexpected host failure. */
    INTERNAL
}
