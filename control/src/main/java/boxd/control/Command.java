package boxd.control;

/**
 * A write to the replicated state. Every command is fully decided before it is proposed: ids, times, addresses and
 * ports are filled in by the proposer, so applying it is a deterministic function of the replica and the command.
 * {@link StateMachine#apply} re-checks every precondition (the state may have changed since the proposer looked).
 * Strings are never null ("" means none). Each record's doc says who sends it.
 */
public sealed interface Command {

    /** The frontend registers an account (open policy, or {@code inviteCode} not "" when redeeming an invite). */
    record RegisterUser(String name, String fingerprint, String publicKey, String inviteCode, long atMillis)
            implements Command {}

    /** The frontend adds a key to an existing account. */
    record AddKey(String user, String fingerprint, String publicKey, long atMillis) implements Command {}

    /** The frontend removes a key (never the last one). */
    record RemoveKey(String user, String fingerprint) implements Command {}

    /** An admin creates a single-use invite code. */
    record CreateInvite(String admin, String code, long atMillis) implements Command {}

    /**
     * The frontend creates a box. {@code ipv4} and {@code sshPort} are chosen by the leader from its replica and its
     * in-flight reservations ("" / 0 while the command travels to the leader).
     */
    record CreateBox(String id, String owner, String name, int cpus, int memoryMb, int diskGb, String image,
                     String ipv4, int sshPort, long atMillis) implements Command {}

    /** The owner asks for the box to be destroyed (deleted at once while it has no worker). */
    record DestroyBox(String owner, String name, long atMillis) implements Command {}

    /** The owner asks the worker to restart the box. */
    record RebootBox(String owner, String name, long atMillis) implements Command {}

    /** The leader's scheduler places a pending box on a live worker with room for it. */
    record AssignBox(String boxId, String workerId, long atMillis) implements Command {}

    /** A worker reports what a box is. */
    record ReportBox(String boxId, String observed, String error, long atMillis) implements Command {}

    /** A worker reports that it tore down a box marked destroyed: record, address, ports and routes are freed. */
    record ReportDestroyed(String boxId, long atMillis) implements Command {}

    /**
     * A worker (re-)registers itself with its capacity; starts its lease. A smaller capacity than before keeps the boxes
     * already placed there (the host shrank); nothing new is placed until they fit again.
     */
    record RegisterWorker(String id, String address, int cpus, int memoryMb, long leaseUntilMillis, long atMillis)
            implements Command {}

    /** A worker renews its lease. */
    record Heartbeat(String workerId, long leaseUntilMillis, long atMillis) implements Command {}

    /** The leader's scheduler marks the boxes of a worker whose lease expired before {@code atMillis} as LOST. */
    record ExpireWorker(String workerId, long atMillis) implements Command {}

    /** The owner creates or updates an HTTP route to a port of the box. */
    record SetProxy(String owner, String boxName, String subdomain, int port, long atMillis) implements Command {}

    /** The owner deletes an HTTP route. */
    record DeleteProxy(String owner, String boxName, String subdomain, long atMillis) implements Command {}

    /** The owner forwards a public port (chosen by the leader; 0 while travelling to it) to a port of the box. */
    record Expose(String owner, String boxName, int boxPort, int publicPort, long atMillis) implements Command {}

    /** The owner stops forwarding a port of the box. */
    record Unexpose(String owner, String boxName, int boxPort, long atMillis) implements Command {}

    /** An SSH frontend at start: the key it logs into boxes with (workers install every such key). */
    record AddPlatformKey(String fingerprint, String publicKey, long atMillis) implements Command {}
}
