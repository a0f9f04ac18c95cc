package boxd.common;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The control plane as every other role sees it: writes go through Raft and return once applied on this node (so a
 * read right after a write sees it); reads come from this node's SQLite replica. The same whether this node is the
 * leader, a follower or a learner. Every write that is refused throws {@link BoxdException} with a code and a hint and
 * changes nothing; {@link ErrorCode#UNAVAILABLE} means no leader could be reached in time.
 *
 * <p>Ownership is checked by the control plane: methods taking an {@code owner} act only on that user's boxes and
 * answer {@link ErrorCode#NOT_FOUND} for boxes of other users (never revealing they exist).
 */
public interface Control {

    // ---- accounts and keys ----

    /** {@return the user whose key has this fingerprint ("SHA256:...")} */
    Optional<User> userByKeyFingerprint(String fingerprint);

    Optional<User> user(String name);

    /** {@return how many accounts exist (the first one registered becomes admin)} */
    long userCount();

    /**
     * Creates an account owning one key. The first account of an installation is admin.
     *
     * @param publicKey an authorized_keys line ("TYPE BASE64 [COMMENT]")
     * @throws BoxdException NAME_TAKEN, KEY_TAKEN, INVALID
     */
    User registerUser(String name, String publicKey);

    List<SshKey> keys(String user);

    /** @throws BoxdException KEY_TAKEN, INVALID */
    SshKey addKey(String user, String publicKey);

    /** Removes a key by fingerprint. @throws BoxdException NOT_FOUND; CONFLICT when it is the user's last key */
    void removeKey(String user, String fingerprint);

    /**
     * Records the public key an SSH frontend logs into boxes with ({@link PlatformKey}), so every worker, on any host,
     * lets it into the boxes it runs. Each frontend calls it at start; a key already there is a no-op.
     *
     * @param publicKey an authorized_keys line
     * @throws BoxdException INVALID
     */
    void addPlatformKey(String publicKey);

    /** {@return the authorized_keys lines of every frontend's platform key, oldest first} */
    List<String> platformKeys();

    /** An admin creates a single-use invite code. @throws BoxdException FORBIDDEN when {@code admin} is not one */
    String createInvite(String admin);

    /** Redeems an invite: creates the account like {@link #registerUser}. @throws BoxdException NOT_FOUND for a bad code */
    User redeemInvite(String code, String name, String publicKey);

    // ---- boxes ----

    /**
     * Records a new box (desired RUNNING, observed PENDING) with an address and an SSH port chosen from the pools;
     * the scheduler then assigns it to a worker. Returns at once; use {@link #awaitBox} to wait for RUNNING.
     *
     * @throws BoxdException INVALID, NAME_TAKEN, NO_CAPACITY (pool exhausted), QUOTA
     */
    Box createBox(String owner, String name, BoxSpec spec);

    /** Marks the box for destruction; the worker tears it down and then reports it gone. @throws BoxdException NOT_FOUND */
    void destroyBox(String owner, String name);

    /** Asks the worker to restart the box. @throws BoxdException NOT_FOUND, CONFLICT */
    void rebootBox(String owner, String name);

    /** {@return the owner's box of that name} */
    Optional<Box> box(String owner, String name);

    /** {@return the box of that name, whoever owns it (DNS, proxy, worker)} */
    Optional<Box> boxByName(String name);

    Optional<Box> boxById(String id);

    /** {@return the owner's boxes, by name} */
    List<Box> boxes(String owner);

    /** {@return every box, by name} */
    List<Box> allBoxes();

    /**
     * Waits until the box satisfies {@code until} (checked on every applied change) or the box is gone.
     *
     * @return the box as it was when the predicate held, or empty when the box no longer exists
     * @throws BoxdException TIMEOUT
     */
    Optional<Box> awaitBox(String id, Predicate<Box> until, Duration timeout);

    // ---- workers ----

    /** Registers (or re-registers after a restart) a worker with its capacity and starts its lease. */
    void registerWorker(String id, String address, int cpus, int memoryMb);

    /** Renews the worker's lease. */
    void heartbeat(String workerId);

    List<Worker> workers();

    /** {@return the boxes assigned to that worker, including those it must destroy} */
    List<Box> boxesOn(String workerId);

    /**
     * A worker reports what a box is. {@code error} is "" when none.
     * Reporting REBOOTING boxes as RUNNING also returns their desired state to RUNNING.
     */
    void reportBox(String boxId, ObservedState observed, String error);

    /** A worker reports that it tore down a box marked DESTROYED: the record, its address, routes and ports are freed. */
    void reportDestroyed(String boxId);

    // ---- proxy routes and TCP exposure ----

    /** {@return every route; boxes without an explicit "" route are served on port 8000} */
    List<ProxyRoute> proxyRoutes();

    /** {@return the owner's routes} */
    List<ProxyRoute> proxyRoutes(String owner);

    /** Creates or updates the route {@code SUB.BOX.ZONE} (or {@code BOX.ZONE} for subdomain ""). @throws BoxdException NOT_FOUND, INVALID */
    ProxyRoute setProxy(String owner, String boxName, String subdomain, int port);

    /** @throws BoxdException NOT_FOUND */
    void deleteProxy(String owner, String boxName, String subdomain);

    /** Forwards a free public port (40000-60000) to {@code boxPort}. @throws BoxdException QUOTA (3 per box), NOT_FOUND */
    Exposure expose(String owner, String boxName, int boxPort);

    /** @throws BoxdException NOT_FOUND */
    void unexpose(String owner, String boxName, int boxPort);

    List<Exposure> exposures();

    // ---- change notification ----

    /**
     * Calls {@code listener} (on a control-plane thread; it must not block) after every batch of commands applied on
     * this node. Close the returned handle to stop.
     */
    AutoCloseable watch(Runnable listener);

    /** {@return the Raft index of the last command applied to this node's replica} */
    long appliedIndex();
}
