package boxd.control;

import boxd.common.AuthorizedKey;
import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.DesiredState;
import boxd.common.ErrorCode;
import boxd.common.Names;
import boxd.common.ObservedState;
import boxd.common.User;
import boxd.common.Worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This node's SQLite replica and the deterministic function that applies commands to it. Every batch of log entries
 * is one SQLite transaction that also records the last applied index; entries at or below it are skipped (Raft
 * replays the log after a restart). {@link #apply} never throws: a refused command is a {@link Outcome.Rejected}
 * that changes nothing. Only the Raft apply thread (or a test) calls the mutating methods.
 */
public final class StateMachine implements AutoCloseable {
    public static final int SSH_PORT_MIN = 10_000, SSH_PORT_MAX = 30_000;
    public static final int EXPOSE_PORT_MIN = 40_000, EXPOSE_PORT_MAX = 60_000;
    public static final int MAX_BOXES_PER_USER = 20;
    public static final int MAX_EXPOSURES_PER_BOX = 3;
    public static final int MAX_ROUTES_PER_BOX = 20;
    public static final int MAX_KEYS_PER_USER = 32;
    public static final int MAX_EVENTS = 10_000;

    /** One log entry to apply. */
    public record Entry(long index, Command command) {}

    private final Path file;
    private Sql db;
    private long lastApplied;

    public StateMachine(Path file) {
        this.file = file;
        open();
    }

    /** Opens (creating and migrating) a SQLite database in WAL mode. */
    static Connection openDb(Path file, boolean readOnly) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                if (!readOnly) {
                    st.execute("PRAGMA journal_mode = WAL");
                    // the Raft log is the durable record; a lost tail is replayed from it
                    st.execute("PRAGMA synchronous = NORMAL");
                    st.execute("PRAGMA foreign_keys = OFF");
                }
            }
            return c;
        } catch (SQLException | IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot open the control-plane replica " + file + ": "
                    + e.getMessage(), "check the data directory's permissions and free space", e);
        }
    }

    private void open() {
        Connection c = openDb(file, false);
        try {
            Schema.migrate(c);
            c.setAutoCommit(false);
            db = new Sql(c);
            lastApplied = Reads.lastApplied(db);
        } catch (SQLException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot migrate the control-plane replica " + file + ": "
                    + e.getMessage(), "remove " + file + " to rebuild it from the Raft log", e);
        }
    }

    public Path file() { return file; }

    public long lastApplied() { return lastApplied; }

    /** Applies one command as the next log entry (tests and tools). */
    public Outcome apply(Command c) {
        return applyBatch(List.of(new Entry(lastApplied + 1, c))).getFirst();
    }

    /**
     * Applies a batch in one transaction. {@return one outcome per entry, null for entries already applied}
     *
     * @throws SQLException only when the transaction itself cannot commit (disk full, I/O error): the node must stop
     */
    public List<Outcome> applyBatch(List<Entry> batch) {
        List<Outcome> out = new ArrayList<>(batch.size());
        long newLast = lastApplied;
        try {
            for (Entry e : batch) {
                if (e.index() <= newLast) { out.add(null); continue; }
                out.add(applyOne(e.command()));
                newLast = e.index();
            }
            if (newLast != lastApplied) {
                db.bind("UPDATE meta SET value = ? WHERE key = 'last_applied_index'", newLast).executeUpdate();
                db.conn.commit();
                lastApplied = newLast;
            }
            return out;
        } catch (SQLException e) {
            try { db.conn.rollback(); } catch (SQLException ignored) { /* the connection is gone; the node stops */ }
            throw new IllegalStateException("cannot commit applied batch ending at index " + newLast + ": " + e.getMessage(), e);
        }
    }

    private Outcome applyOne(Command c) throws SQLException {
        db.ps("SAVEPOINT cmd").execute();
        Outcome o;
        try {
            o = dispatch(c);
        } catch (BoxdException e) {
            o = Outcome.reject(e.code(), e.getMessage(), e.hint());
        } catch (SQLException | RuntimeException e) {
            o = Outcome.reject(ErrorCode.INTERNAL, "applying " + c.getClass().getSimpleName() + " failed: " + e.getMessage(),
                    "this is a bug in boxd; the command changed nothing");
        }
        if (o instanceof Outcome.Rejected) db.ps("ROLLBACK TO cmd").execute();
        db.ps("RELEASE cmd").execute();
        return o;
    }

    private Outcome dispatch(Command c) throws SQLException {
        return switch (c) {
            case Command.RegisterUser x -> registerUser(x);
            case Command.AddKey x -> addKey(x);
            case Command.RemoveKey x -> removeKey(x);
            case Command.CreateInvite x -> createInvite(x);
            case Command.CreateBox x -> createBox(x);
            case Command.DestroyBox x -> destroyBox(x);
            case Command.RebootBox x -> rebootBox(x);
            case Command.AssignBox x -> assignBox(x);
            case Command.ReportBox x -> reportBox(x);
            case Command.ReportDestroyed x -> reportDestroyed(x);
            case Command.RegisterWorker x -> registerWorker(x);
            case Command.Heartbeat x -> heartbeat(x);
            case Command.ExpireWorker x -> expireWorker(x);
            case Command.SetProxy x -> setProxy(x);
            case Command.DeleteProxy x -> deleteProxy(x);
            case Command.Expose x -> expose(x);
            case Command.Unexpose x -> unexpose(x);
            case Command.AddPlatformKey x -> addPlatformKey(x);
        };
    }

    // ---- accounts ----

    private Outcome registerUser(Command.RegisterUser x) throws SQLException {
        Names.requireLabel("user name", x.name());
        if (x.fingerprint().isEmpty()) return Outcome.reject(ErrorCode.INVALID, "a new account needs a public key");
        Optional<User> existing = Reads.user(db, x.name());
        if (existing.isPresent()) {
            Optional<User> byKey = Reads.userByFingerprint(db, x.fingerprint());
            if (byKey.isPresent() && byKey.get().name().equals(x.name())) return Outcome.ok(x.name()); // a retry
            return Outcome.reject(ErrorCode.NAME_TAKEN, "the user name '" + x.name() + "' is taken", "choose another name");
        }
        if (Reads.userByFingerprint(db, x.fingerprint()).isPresent())
            return Outcome.reject(ErrorCode.KEY_TAKEN, "this key already belongs to an account",
                    "log in with it, or use another key");
        if (!x.inviteCode().isEmpty()) {
            long n = update("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by = ''",
                    x.name(), x.atMillis(), x.inviteCode());
            if (n == 0) return Outcome.reject(ErrorCode.NOT_FOUND, "the invite code is not valid or was already used",
                    "ask an admin for a new invite");
        }
        boolean admin = Reads.count(db, "SELECT count(*) FROM users") == 0;
        update("INSERT INTO users(name, admin, created_at) VALUES (?, ?, ?)", x.name(), admin ? 1 : 0, x.atMillis());
        update("INSERT INTO ssh_keys(fingerprint, user, public_key, added_at) VALUES (?, ?, ?, ?)",
                x.fingerprint(), x.name(), x.publicKey(), x.atMillis());
        event(x.atMillis(), "user-registered", "", x.name() + (admin ? " (admin)" : ""));
        return Outcome.ok(x.name());
    }

    private Outcome addPlatformKey(Command.AddPlatformKey x) throws SQLException {
        AuthorizedKey key;
        try {
            key = AuthorizedKey.parse(x.publicKey());
        } catch (BoxdException e) {
            return Outcome.reject(ErrorCode.INVALID, "not a platform key: " + e.getMessage(), e.hint());
        }
        if (!key.fingerprint().equals(x.fingerprint()))
            return Outcome.reject(ErrorCode.INVALID, "the platform key's fingerprint does not match its key");
        update("INSERT OR IGNORE INTO platform_keys(fingerprint, public_key, added_at) VALUES (?, ?, ?)",
                x.fingerprint(), key.line(), x.atMillis());
        return Outcome.ok(x.fingerprint());
    }

    private Outcome addKey(Command.AddKey x) throws SQLException {
        if (Reads.user(db, x.user()).isEmpty()) return noUser(x.user());
        Optional<User> owner = Reads.userByFingerprint(db, x.fingerprint());
        if (owner.isPresent()) {
            if (owner.get().name().equals(x.user())) return Outcome.ok(x.fingerprint());
            return Outcome.reject(ErrorCode.KEY_TAKEN, "this key already belongs to another account", "use another key");
        }
        if (Reads.count(db, "SELECT count(*) FROM ssh_keys WHERE user = ?", x.user()) >= MAX_KEYS_PER_USER)
            return Outcome.reject(ErrorCode.QUOTA, "an account may have at most " + MAX_KEYS_PER_USER + " keys",
                    "remove a key you no longer use");
        update("INSERT INTO ssh_keys(fingerprint, user, public_key, added_at) VALUES (?, ?, ?, ?)",
                x.fingerprint(), x.user(), x.publicKey(), x.atMillis());
        return Outcome.ok(x.fingerprint());
    }

    private Outcome removeKey(Command.RemoveKey x) throws SQLException {
        if (Reads.count(db, "SELECT count(*) FROM ssh_keys WHERE user = ? AND fingerprint = ?", x.user(), x.fingerprint()) == 0)
            return Outcome.reject(ErrorCode.NOT_FOUND, "you have no key with fingerprint " + x.fingerprint(),
                    "list your keys to see their fingerprints");
        if (Reads.count(db, "SELECT count(*) FROM ssh_keys WHERE user = ?", x.user()) <= 1)
            return Outcome.reject(ErrorCode.CONFLICT, "that is your last key; removing it would lock you out",
                    "add another key first");
        update("DELETE FROM ssh_keys WHERE fingerprint = ?", x.fingerprint());
        return Outcome.ok(x.fingerprint());
    }

    private Outcome createInvite(Command.CreateInvite x) throws SQLException {
        Optional<User> u = Reads.user(db, x.admin());
        if (u.isEmpty() || !u.get().admin())
            return Outcome.reject(ErrorCode.FORBIDDEN, "only an admin can create invites", "ask an admin");
        if (Reads.count(db, "SELECT count(*) FROM invites WHERE code = ?", x.code()) > 0)
            return Outcome.ok(x.code()); // a retry
        update("INSERT INTO invites(code, created_by, created_at) VALUES (?, ?, ?)", x.code(), x.admin(), x.atMillis());
        return Outcome.ok(x.code());
    }

    // ---- boxes ----

    private Outcome createBox(Command.CreateBox x) throws SQLException {
        Names.requireLabel("box name", x.name());
        new BoxSpec(x.cpus(), x.memoryMb(), x.diskGb(), x.image()); // validates, throws INVALID
        long ip = Ipv4Pool.parse(x.ipv4());
        // every check in one statement (each statement costs more than the lookups in it); decided in the order below
        Reads.CreateChecks k = Reads.createChecks(db, x.owner(), x.id(), x.name(), ip, x.sshPort());
        if (!k.userExists()) return noUser(x.owner());
        if (k.sameIdName() != null) {
            if (k.sameIdName().equals(x.name()) && k.sameIdOwner().equals(x.owner())) return Outcome.ok(x.id());
            return Outcome.reject(ErrorCode.INTERNAL, "box id " + x.id() + " is already used", "retry");
        }
        if (k.nameTaken())
            return Outcome.reject(ErrorCode.NAME_TAKEN, "the box name '" + x.name() + "' is taken",
                    "box names are unique across the installation; choose another");
        if (k.ownerBoxes() >= MAX_BOXES_PER_USER)
            return Outcome.reject(ErrorCode.QUOTA, "you already have " + MAX_BOXES_PER_USER + " boxes, the most allowed",
                    "destroy a box you no longer need");
        if (ip < 0) return Outcome.reject(ErrorCode.INVALID, "no valid address chosen for the box: '" + x.ipv4() + "'");
        if (k.ipTaken())
            return Outcome.reject(ErrorCode.CONFLICT, "address " + x.ipv4() + " is already allocated", "retry");
        if (x.sshPort() < SSH_PORT_MIN || x.sshPort() > SSH_PORT_MAX)
            return Outcome.reject(ErrorCode.INVALID, "ssh port " + x.sshPort() + " is outside " + SSH_PORT_MIN + "-" + SSH_PORT_MAX);
        if (k.portTaken())
            return Outcome.reject(ErrorCode.CONFLICT, "ssh port " + x.sshPort() + " is already allocated", "retry");
        update("INSERT INTO boxes(id, name, owner, cpus, memory_mb, disk_gb, image, desired, observed, worker, ipv4, "
                        + "ssh_port, created_at, updated_at, last_error) VALUES (?,?,?,?,?,?,?,?,?,NULL,?,?,?,?,'')",
                x.id(), x.name(), x.owner(), x.cpus(), x.memoryMb(), x.diskGb(),
                x.image().isBlank() ? BoxSpec.DEFAULT_IMAGE : x.image(), DesiredState.RUNNING.name(),
                ObservedState.PENDING.name(), x.ipv4(), x.sshPort(), x.atMillis(), x.atMillis());
        update("INSERT INTO ip_allocations(ip_int, ipv4, box_id) VALUES (?, ?, ?)", ip, x.ipv4(), x.id());
        update("INSERT INTO port_allocations(port, kind, box_id) VALUES (?, 'ssh', ?)", x.sshPort(), x.id());
        event(x.atMillis(), "box-created", x.id(), x.name() + " " + x.ipv4());
        return Outcome.ok(x.id());
    }

    private Outcome destroyBox(Command.DestroyBox x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.name());
        if (b.isEmpty()) return noBox(x.name());
        Box box = b.get();
        if (box.worker() == null) {
            deleteBox(box.id());
            event(x.atMillis(), "box-deleted", box.id(), box.name());
            return Outcome.ok(box.id());
        }
        if (box.desired() != DesiredState.DESTROYED) {
            update("UPDATE boxes SET desired = ?, updated_at = ? WHERE id = ?", DesiredState.DESTROYED.name(), x.atMillis(), box.id());
            event(x.atMillis(), "box-destroying", box.id(), box.name());
        }
        return Outcome.ok(box.id());
    }

    private Outcome rebootBox(Command.RebootBox x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.name());
        if (b.isEmpty()) return noBox(x.name());
        Box box = b.get();
        if (box.desired() == DesiredState.DESTROYED)
            return Outcome.reject(ErrorCode.CONFLICT, "box '" + x.name() + "' is being destroyed");
        if (box.worker() == null)
            return Outcome.reject(ErrorCode.CONFLICT, "box '" + x.name() + "' has not started yet",
                    "wait until it is running, then reboot it");
        update("UPDATE boxes SET desired = ?, updated_at = ? WHERE id = ?", DesiredState.REBOOTING.name(), x.atMillis(), box.id());
        event(x.atMillis(), "box-reboot", box.id(), box.name());
        return Outcome.ok(box.id());
    }

    private Outcome assignBox(Command.AssignBox x) throws SQLException {
        Optional<Box> b = Reads.boxById(db, x.boxId());
        if (b.isEmpty()) return Outcome.reject(ErrorCode.NOT_FOUND, "no box with id " + x.boxId());
        Box box = b.get();
        if (box.worker() != null)
            return Outcome.reject(ErrorCode.CONFLICT, "box " + box.id() + " is already assigned to " + box.worker());
        if (box.desired() == DesiredState.DESTROYED || box.observed() != ObservedState.PENDING)
            return Outcome.reject(ErrorCode.CONFLICT, "box " + box.id() + " is not pending");
        Optional<Worker> w = Reads.worker(db, x.workerId());
        if (w.isEmpty()) return Outcome.reject(ErrorCode.NOT_FOUND, "no worker " + x.workerId());
        if (w.get().leaseExpiresAtMillis() < x.atMillis())
            return Outcome.reject(ErrorCode.CONFLICT, "worker " + x.workerId() + " has no live lease");
        long[] used = used(x.workerId());
        if (used[0] + box.spec().cpus() > w.get().cpus() || used[1] + box.spec().memoryMb() > w.get().memoryMb())
            return Outcome.reject(ErrorCode.NO_CAPACITY, "worker " + x.workerId() + " has no room for box " + box.id());
        update("UPDATE boxes SET worker = ?, observed = ?, updated_at = ? WHERE id = ?", x.workerId(),
                ObservedState.SCHEDULED.name(), x.atMillis(), box.id());
        event(x.atMillis(), "box-assigned", box.id(), x.workerId());
        return Outcome.ok(box.id());
    }

    /** {@return cpus and memory of every box assigned to the worker (until it reports them destroyed)} */
    private long[] used(String worker) throws SQLException {
        return Reads.one(db, "SELECT coalesce(sum(cpus),0), coalesce(sum(memory_mb),0) FROM boxes WHERE worker = ?",
                rs -> new long[]{rs.getLong(1), rs.getLong(2)}, worker).orElseThrow();
    }

    private Outcome reportBox(Command.ReportBox x) throws SQLException {
        Optional<Box> b = Reads.boxById(db, x.boxId());
        if (b.isEmpty()) return Outcome.reject(ErrorCode.NOT_FOUND, "no box with id " + x.boxId());
        ObservedState observed;
        try {
            observed = ObservedState.valueOf(x.observed());
        } catch (IllegalArgumentException e) {
            return Outcome.reject(ErrorCode.INVALID, "unknown box state '" + x.observed() + "'");
        }
        Box box = b.get();
        DesiredState desired = box.desired();
        if (observed == ObservedState.RUNNING && desired == DesiredState.REBOOTING) desired = DesiredState.RUNNING;
        update("UPDATE boxes SET observed = ?, desired = ?, last_error = ?, updated_at = ? WHERE id = ?",
                observed.name(), desired.name(), x.error(), x.atMillis(), box.id());
        if (box.observed() != observed) event(x.atMillis(), "box-" + observed.label(), box.id(), x.error());
        return Outcome.ok(box.id());
    }

    private Outcome reportDestroyed(Command.ReportDestroyed x) throws SQLException {
        Optional<Box> b = Reads.boxById(db, x.boxId());
        if (b.isEmpty()) return Outcome.ok(x.boxId()); // already gone: a retry
        if (b.get().desired() != DesiredState.DESTROYED)
            return Outcome.reject(ErrorCode.CONFLICT, "box " + x.boxId() + " is not marked for destruction");
        deleteBox(x.boxId());
        event(x.atMillis(), "box-deleted", x.boxId(), b.get().name());
        return Outcome.ok(x.boxId());
    }

    private void deleteBox(String id) throws SQLException {
        update("DELETE FROM boxes WHERE id = ?", id);
        update("DELETE FROM ip_allocations WHERE box_id = ?", id);
        update("DELETE FROM port_allocations WHERE box_id = ?", id);
        update("DELETE FROM exposures WHERE box_id = ?", id);
        update("DELETE FROM proxy_routes WHERE box_id = ?", id);
    }

    // ---- workers ----

    private Outcome registerWorker(Command.RegisterWorker x) throws SQLException {
        if (x.id().isBlank()) return Outcome.reject(ErrorCode.INVALID, "a worker needs an id");
        if (x.cpus() < 1 || x.memoryMb() < 64)
            return Outcome.reject(ErrorCode.INVALID, "worker " + x.id() + " needs at least 1 cpu and 64 MiB");
        update("INSERT INTO workers(id, address, cpus, memory_mb, lease_until, registered_at) VALUES (?,?,?,?,?,?) "
                        + "ON CONFLICT(id) DO UPDATE SET address = excluded.address, cpus = excluded.cpus, "
                        + "memory_mb = excluded.memory_mb, lease_until = max(lease_until, excluded.lease_until)",
                x.id(), x.address(), x.cpus(), x.memoryMb(), x.leaseUntilMillis(), x.atMillis());
        event(x.atMillis(), "worker-registered", "", x.id() + " " + x.address());
        return Outcome.ok(x.id());
    }

    private Outcome heartbeat(Command.Heartbeat x) throws SQLException {
        long n = update("UPDATE workers SET lease_until = max(lease_until, ?) WHERE id = ?", x.leaseUntilMillis(), x.workerId());
        if (n == 0) return Outcome.reject(ErrorCode.NOT_FOUND, "no worker " + x.workerId(), "register the worker first");
        return Outcome.ok(x.workerId());
    }

    private Outcome expireWorker(Command.ExpireWorker x) throws SQLException {
        Optional<Worker> w = Reads.worker(db, x.workerId());
        if (w.isEmpty()) return Outcome.reject(ErrorCode.NOT_FOUND, "no worker " + x.workerId());
        if (w.get().leaseExpiresAtMillis() >= x.atMillis())
            return Outcome.reject(ErrorCode.CONFLICT, "worker " + x.workerId() + " renewed its lease");
        long n = update("UPDATE boxes SET observed = ?, updated_at = ? WHERE worker = ? AND observed <> ?",
                ObservedState.LOST.name(), x.atMillis(), x.workerId(), ObservedState.LOST.name());
        if (n > 0) event(x.atMillis(), "worker-lost", "", x.workerId() + " " + n + " boxes");
        return Outcome.ok(Long.toString(n));
    }

    // ---- routes and exposures ----

    private Outcome setProxy(Command.SetProxy x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.boxName());
        if (b.isEmpty()) return noBox(x.boxName());
        if (!x.subdomain().isEmpty()) Names.requireLabel("subdomain", x.subdomain());
        if (x.port() < 1 || x.port() > 65_535) return Outcome.reject(ErrorCode.INVALID, "port must be 1-65535, got " + x.port());
        String id = b.get().id();
        boolean exists = Reads.count(db, "SELECT count(*) FROM proxy_routes WHERE box_id = ? AND subdomain = ?", id, x.subdomain()) > 0;
        if (!exists && Reads.count(db, "SELECT count(*) FROM proxy_routes WHERE box_id = ?", id) >= MAX_ROUTES_PER_BOX)
            return Outcome.reject(ErrorCode.QUOTA, "a box may have at most " + MAX_ROUTES_PER_BOX + " routes", "delete one first");
        update("INSERT INTO proxy_routes(box_id, subdomain, port) VALUES (?,?,?) "
                + "ON CONFLICT(box_id, subdomain) DO UPDATE SET port = excluded.port", id, x.subdomain(), x.port());
        return Outcome.ok(id);
    }

    private Outcome deleteProxy(Command.DeleteProxy x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.boxName());
        if (b.isEmpty()) return noBox(x.boxName());
        long n = update("DELETE FROM proxy_routes WHERE box_id = ? AND subdomain = ?", b.get().id(), x.subdomain());
        if (n == 0) return Outcome.reject(ErrorCode.NOT_FOUND, "box '" + x.boxName() + "' has no route for '"
                + (x.subdomain().isEmpty() ? x.boxName() : x.subdomain() + "." + x.boxName()) + "'");
        return Outcome.ok(b.get().id());
    }

    private Outcome expose(Command.Expose x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.boxName());
        if (b.isEmpty()) return noBox(x.boxName());
        if (x.boxPort() < 1 || x.boxPort() > 65_535)
            return Outcome.reject(ErrorCode.INVALID, "port must be 1-65535, got " + x.boxPort());
        String id = b.get().id();
        Optional<Long> existing = Reads.one(db, "SELECT public_port FROM exposures WHERE box_id = ? AND box_port = ?",
                rs -> rs.getLong(1), id, x.boxPort());
        if (existing.isPresent()) return Outcome.ok(Long.toString(existing.get()));
        if (Reads.count(db, "SELECT count(*) FROM exposures WHERE box_id = ?", id) >= MAX_EXPOSURES_PER_BOX)
            return Outcome.reject(ErrorCode.QUOTA, "a box may expose at most " + MAX_EXPOSURES_PER_BOX + " ports",
                    "unexpose one first");
        if (x.publicPort() < EXPOSE_PORT_MIN || x.publicPort() > EXPOSE_PORT_MAX)
            return Outcome.reject(ErrorCode.INVALID, "public port " + x.publicPort() + " is outside "
                    + EXPOSE_PORT_MIN + "-" + EXPOSE_PORT_MAX);
        if (Reads.count(db, "SELECT count(*) FROM port_allocations WHERE port = ?", x.publicPort()) > 0)
            return Outcome.reject(ErrorCode.CONFLICT, "public port " + x.publicPort() + " is already allocated", "retry");
        update("INSERT INTO exposures(box_id, box_port, public_port) VALUES (?,?,?)", id, x.boxPort(), x.publicPort());
        update("INSERT INTO port_allocations(port, kind, box_id) VALUES (?, 'expose', ?)", x.publicPort(), id);
        event(x.atMillis(), "port-exposed", id, x.boxPort() + " -> " + x.publicPort());
        return Outcome.ok(Integer.toString(x.publicPort()));
    }

    private Outcome unexpose(Command.Unexpose x) throws SQLException {
        Optional<Box> b = Reads.ownedBox(db, x.owner(), x.boxName());
        if (b.isEmpty()) return noBox(x.boxName());
        String id = b.get().id();
        Optional<Long> pub = Reads.one(db, "SELECT public_port FROM exposures WHERE box_id = ? AND box_port = ?",
                rs -> rs.getLong(1), id, x.boxPort());
        if (pub.isEmpty()) return Outcome.reject(ErrorCode.NOT_FOUND, "port " + x.boxPort() + " of box '" + x.boxName()
                + "' is not exposed");
        update("DELETE FROM exposures WHERE box_id = ? AND box_port = ?", id, x.boxPort());
        update("DELETE FROM port_allocations WHERE port = ?", pub.get());
        return Outcome.ok(id);
    }

    // ---- helpers ----

    private static Outcome noUser(String name) {
        return Outcome.reject(ErrorCode.NOT_FOUND, "no account named '" + name + "'", "register first");
    }

    private static Outcome noBox(String name) {
        return Outcome.reject(ErrorCode.NOT_FOUND, "you have no box named '" + name + "'", "list your boxes with 'ls'");
    }

    private long update(String sql, Object... args) throws SQLException {
        return db.bind(sql, args).executeUpdate();
    }

    /** The event log keeps the latest {@value #MAX_EVENTS} events (trimmed deterministically on every replica). */
    private void event(long at, String kind, String boxId, String detail) throws SQLException {
        long seq = Reads.count(db, "INSERT INTO events(at, kind, box_id, detail) VALUES (?,?,?,?) RETURNING seq",
                at, kind, boxId, detail);
        if (seq % 1000 == 0) update("DELETE FROM events WHERE seq <= ?", seq - MAX_EVENTS);
    }

    // ---- snapshots and dumps ----

    /** Writes a consistent copy of the replica (at {@link #lastApplied()}) to {@code target}, which must not exist. */
    public void snapshotTo(Path target) throws SQLException {
        db.conn.commit();
        db.clearCache();
        db.conn.setAutoCommit(true);
        try (Statement st = db.conn.createStatement()) {
            st.execute("VACUUM INTO '" + target.toAbsolutePath().toString().replace("'", "''") + "'");
        } finally {
            db.conn.setAutoCommit(false);
        }
    }

    /** {@return the last applied index recorded in a snapshot file} */
    public static long lastAppliedOf(Path snapshot) throws SQLException {
        try (Sql c = new Sql(DriverManager.getConnection("jdbc:sqlite:" + snapshot.toAbsolutePath()))) {
            return Reads.lastApplied(c);
        }
    }

    /** Replaces the replica with a snapshot copy (installing a snapshot from the leader). */
    public void replaceWith(Path snapshot) throws IOException {
        closeQuietly();
        for (String suffix : new String[]{"-wal", "-shm"}) Files.deleteIfExists(Path.of(file + suffix));
        Path tmp = Path.of(file + ".installing");
        Files.copy(snapshot, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        open();
    }

    /** {@return every replicated row as text, in a fixed order: equal dumps mean equal replicas} */
    public String dump() {
        return dump(db);
    }

    static String dump(Sql sql) {
        Connection c = sql.conn;
        StringBuilder sb = new StringBuilder();
        String[][] tables = {
                {"meta", "key"}, {"users", "name"}, {"ssh_keys", "fingerprint"}, {"invites", "code"}, {"boxes", "id"},
                {"workers", "id"}, {"ip_allocations", "ip_int"}, {"port_allocations", "port"},
                {"exposures", "box_id, box_port"}, {"proxy_routes", "box_id, subdomain"}, {"platform_keys", "fingerprint"},
                {"events", "seq"}};
        try (Statement st = c.createStatement()) {
            for (String[] t : tables) {
                sb.append("# ").append(t[0]).append('\n');
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + t[0] + " ORDER BY " + t[1])) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= n; i++) sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                        sb.append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot dump the replica: " + e.getMessage(), e);
        }
        return sb.toString();
    }

    /** The write connection, for reads on the apply thread (the scheduler's view on the leader). */
    Sql connection() { return db; }

    private void closeQuietly() {
        if (db != null) db.close();
        db = null;
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
