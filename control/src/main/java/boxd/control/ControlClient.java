package boxd.control;

import boxd.common.AuthorizedKey;
import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import boxd.common.Exposure;
import boxd.common.Names;
import boxd.common.ObservedState;
import boxd.common.ProxyRoute;
import boxd.common.SshKey;
import boxd.common.User;
import boxd.common.Worker;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@link Control} over a {@link ControlNode}: writes become {@link Command}s proposed through Raft (returning once
 * applied on this node, so the caller reads its own writes), reads come from this node's replica.
 */
final class ControlClient implements Control {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ControlNode node;

    ControlClient(ControlNode node) { this.node = node; }

    static String newId(String prefix, int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    /** Box ids need to be unique, not secret (apply refuses a reused one): no shared SecureRandom lock per create. */
    static String boxId() {
        return "b-" + HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextLong()).substring(4);
    }

    private static long now() { return System.currentTimeMillis(); }

    private String write(Command c) {
        Outcome o = node.submit(c);
        return switch (o) {
            case Outcome.Applied a -> a.result();
            case Outcome.Rejected r -> throw r.toException();
        };
    }

    /** Proposes {@code c}, then reads back what it made (this node applied it already); a miss is a bug. */
    private <T> T writeAndReadBack(Command c, Supplier<Optional<T>> readBack, String vanished) {
        write(c);
        return readBack.get().orElseThrow(() -> new BoxdException(ErrorCode.INTERNAL, vanished));
    }

    private interface KeyedRead<T> { T read(Sql c, String key) throws SQLException; }

    /** Reads from this node's replica by one key (a null key is read as ""). */
    private <T> T readBy(KeyedRead<T> read, String key) {
        return node.read(c -> read.read(c, str(key)));
    }

    private static String str(String s) { return s == null ? "" : s; }

    // ---- accounts and keys ----

    @Override
    public Optional<User> userByKeyFingerprint(String fingerprint) {
        return readBy(Reads::userByFingerprint, fingerprint);
    }

    @Override
    public Optional<User> user(String name) {
        return readBy(Reads::user, name);
    }

    @Override
    public long userCount() {
        return node.read(c -> Reads.count(c, "SELECT count(*) FROM users"));
    }

    @Override
    public User registerUser(String name, String publicKey) {
        return register(name, publicKey, "");
    }

    private User register(String name, String publicKey, String invite) {
        Names.requireLabel("user name", name);
        AuthorizedKey key = AuthorizedKey.parse(publicKey);
        return writeAndReadBack(new Command.RegisterUser(name, key.fingerprint(), key.line(), invite, now()),
                () -> user(name), "the account vanished after it was created");
    }

    @Override
    public void addPlatformKey(String publicKey) {
        AuthorizedKey key = AuthorizedKey.parse(publicKey);
        write(new Command.AddPlatformKey(key.fingerprint(), key.line(), now()));
    }

    @Override
    public List<String> platformKeys() {
        return node.read(Reads::platformKeys);
    }

    @Override
    public List<SshKey> keys(String user) {
        return readBy(Reads::keys, user);
    }

    @Override
    public SshKey addKey(String user, String publicKey) {
        AuthorizedKey key = AuthorizedKey.parse(publicKey);
        String fp = key.fingerprint();
        return writeAndReadBack(new Command.AddKey(str(user), fp, key.line(), now()),
                () -> keys(user).stream().filter(k -> k.fingerprint().equals(fp)).findFirst(),
                "the key vanished after it was added");
    }

    @Override
    public void removeKey(String user, String fingerprint) {
        write(new Command.RemoveKey(str(user), str(fingerprint)));
    }

    @Override
    public String createInvite(String admin) {
        String code = newId("", 10);
        write(new Command.CreateInvite(str(admin), code, now()));
        return code;
    }

    @Override
    public User redeemInvite(String code, String name, String publicKey) {
        if (code == null || code.isBlank())
            throw new BoxdException(ErrorCode.NOT_FOUND, "the invite code is not valid or was already used", "ask an admin for a new invite");
        return register(name, publicKey, code);
    }

    // ---- boxes ----

    @Override
    public Box createBox(String owner, String name, BoxSpec spec) {
        Names.requireLabel("box name", name);
        BoxSpec s = spec == null ? BoxSpec.DEFAULT : spec;
        String id = boxId();
        return writeAndReadBack(new Command.CreateBox(id, str(owner), name, s.cpus(), s.memoryMb(), s.diskGb(), s.image(),
                "", 0, now()), () -> boxById(id), "the box vanished after it was created");
    }

    @Override
    public void destroyBox(String owner, String name) {
        write(new Command.DestroyBox(str(owner), str(name), now()));
    }

    @Override
    public void rebootBox(String owner, String name) {
        write(new Command.RebootBox(str(owner), str(name), now()));
    }

    @Override
    public Optional<Box> box(String owner, String name) {
        return node.read(c -> Reads.ownedBox(c, str(owner), str(name)));
    }

    @Override
    public Optional<Box> boxByName(String name) {
        return readBy(Reads::boxByName, name);
    }

    @Override
    public Optional<Box> boxById(String id) {
        return readBy(Reads::boxById, id);
    }

    @Override
    public List<Box> boxes(String owner) {
        return readBy(Reads::boxes, owner);
    }

    @Override
    public List<Box> allBoxes() {
        return node.read(Reads::allBoxes);
    }

    @Override
    public Optional<Box> awaitBox(String id, Predicate<Box> until, Duration timeout) {
        Objects.requireNonNull(until);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = node.appliedIndex();
            Optional<Box> b = boxById(id);
            if (b.isEmpty() || until.test(b.get())) return b;
            long ms = (deadline - System.nanoTime()) / 1_000_000;
            if (ms <= 0)
                throw new BoxdException(ErrorCode.TIMEOUT, "box " + b.get().name() + " is still " + b.get().observed().label()
                        + " after " + timeout.toSeconds() + " s"
                        + (b.get().lastError().isEmpty() ? "" : ": " + b.get().lastError()),
                        b.get().observed() == ObservedState.PENDING ? "no worker has room for it; check the workers" : "");
            try {
                node.awaitChange(seen, Math.min(ms, 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BoxdException(ErrorCode.INTERNAL, "interrupted while waiting for box " + id);
            }
        }
    }

    // ---- workers ----

    @Override
    public void registerWorker(String id, String address, int cpus, int memoryMb) {
        long now = now();
        write(new Command.RegisterWorker(str(id), str(address), cpus, memoryMb, now + node.config().workerLease().toMillis(), now));
    }

    @Override
    public void heartbeat(String workerId) {
        long now = now();
        write(new Command.Heartbeat(str(workerId), now + node.config().workerLease().toMillis(), now));
    }

    @Override
    public List<Worker> workers() {
        return node.read(Reads::workers);
    }

    @Override
    public List<Box> boxesOn(String workerId) {
        return readBy(Reads::boxesOn, workerId);
    }

    @Override
    public void reportBox(String boxId, ObservedState observed, String error) {
        write(new Command.ReportBox(str(boxId), Objects.requireNonNull(observed).name(), str(error), now()));
    }

    @Override
    public void reportDestroyed(String boxId) {
        write(new Command.ReportDestroyed(str(boxId), now()));
    }

    // ---- proxy routes and exposure ----

    @Override
    public List<ProxyRoute> proxyRoutes() {
        return node.read(c -> Reads.routes(c, null));
    }

    @Override
    public List<ProxyRoute> proxyRoutes(String owner) {
        return readBy(Reads::routes, owner);
    }

    @Override
    public ProxyRoute setProxy(String owner, String boxName, String subdomain, int port) {
        String sub = str(subdomain);
        String id = write(new Command.SetProxy(str(owner), str(boxName), sub, port, now()));
        return new ProxyRoute(id, boxName, sub, port);
    }

    @Override
    public void deleteProxy(String owner, String boxName, String subdomain) {
        write(new Command.DeleteProxy(str(owner), str(boxName), str(subdomain), now()));
    }

    @Override
    public Exposure expose(String owner, String boxName, int boxPort) {
        int publicPort = Integer.parseInt(write(new Command.Expose(str(owner), str(boxName), boxPort, 0, now())));
        String id = box(owner, boxName).map(Box::id).orElse("");
        return new Exposure(id, boxName, boxPort, publicPort);
    }

    @Override
    public void unexpose(String owner, String boxName, int boxPort) {
        write(new Command.Unexpose(str(owner), str(boxName), boxPort, now()));
    }

    @Override
    public List<Exposure> exposures() {
        return node.read(Reads::exposures);
    }

    // ---- change notification ----

    @Override
    public AutoCloseable watch(Runnable listener) {
        return node.watch(Objects.requireNonNull(listener));
    }

    @Override
    public long appliedIndex() {
        return node.appliedIndex();
    }
}
