package boxd.dns.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DesiredState;
import boxd.common.Exposure;
import boxd.common.ObservedState;
import boxd.common.ProxyRoute;
import boxd.common.SshKey;
import boxd.common.User;
import boxd.common.Worker;

/**
 * An in-memory control plane holding only boxes, for DNS unit tests and the benchmark: {@link #put} and
 * {@link #remove} play the part of applied commands and notify watchers like the real one. Everything else throws.
 */
public final class FakeControl implements Control {
    private final ConcurrentSkipListMap<String, Box> boxes = new ConcurrentSkipListMap<>();
    private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
    private final AtomicLong applied = new AtomicLong();
    private volatile RuntimeException failReads;

    /** Records (or replaces) a box named {@code name} at {@code ipv4}, observed {@code observed}; notifies watchers. */
    public Box put(String name, String ipv4, DesiredState desired, ObservedState observed) {
        long now = System.currentTimeMillis();
        Box box = new Box("b-" + Integer.toHexString(name.hashCode()), name, "alice", BoxSpec.DEFAULT, desired, observed,
                null, ipv4, 10_000, now, now, "");
        boxes.put(name, box);
        applied();
        return box;
    }

    public Box put(String name, String ipv4) {
        return put(name, ipv4, DesiredState.RUNNING, ObservedState.RUNNING);
    }

    /** Adds many boxes in one "batch" (one notification). */
    public void putAll(List<Box> list) {
        for (Box b : list) boxes.put(b.name(), b);
        applied();
    }

    public void remove(String name) {
        boxes.remove(name);
        applied();
    }

    /** Makes {@link #allBoxes()} throw {@code e} (null: work again). */
    public void failReads(RuntimeException e) {
        failReads = e;
    }

    public int watcherCount() {
        return watchers.size();
    }

    private void applied() {
        applied.incrementAndGet();
        for (Runnable r : watchers) r.run();
    }

    @Override
    public List<Box> allBoxes() {
        RuntimeException e = failReads;
        if (e != null) throw e;
        return new ArrayList<>(boxes.values());
    }

    @Override
    public Optional<Box> boxByName(String name) {
        return Optional.ofNullable(boxes.get(name));
    }

    @Override
    public AutoCloseable watch(Runnable listener) {
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }

    @Override
    public long appliedIndex() {
        return applied.get();
    }

    // ---- not used by DNS ----

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("not part of the DNS fake");
    }

    @Override public Optional<User> userByKeyFingerprint(String fingerprint) { throw unused(); }
    @Override public Optional<User> user(String name) { throw unused(); }
    @Override public long userCount() { throw unused(); }
    @Override public User registerUser(String name, String publicKey) { throw unused(); }
    @Override public List<SshKey> keys(String user) { throw unused(); }
    @Override public SshKey addKey(String user, String publicKey) { throw unused(); }
    @Override public void removeKey(String user, String fingerprint) { throw unused(); }
    @Override public void addPlatformKey(String publicKey) { throw unused(); }
    @Override public List<String> platformKeys() { throw unused(); }
    @Override public String createInvite(String admin) { throw unused(); }
    @Override public User redeemInvite(String code, String name, String publicKey) { throw unused(); }
    @Override public Box createBox(String owner, String name, BoxSpec spec) { throw unused(); }
    @Override public void destroyBox(String owner, String name) { throw unused(); }
    @Override public void rebootBox(String owner, String name) { throw unused(); }
    @Override public Optional<Box> box(String owner, String name) { throw unused(); }
    @Override public Optional<Box> boxById(String id) { throw unused(); }
    @Override public List<Box> boxes(String owner) { throw unused(); }
    @Override public Optional<Box> awaitBox(String id, Predicate<Box> until, Duration timeout) { throw unused(); }
    @Override public void registerWorker(String id, String address, int cpus, int memoryMb) { throw unused(); }
    @Override public void heartbeat(String workerId) { throw unused(); }
    @Override public List<Worker> workers() { throw unused(); }
    @Override public List<Box> boxesOn(String workerId) { throw unused(); }
    @Override public void reportBox(String boxId, ObservedState observed, String error) { throw unused(); }
    @Override public void reportDestroyed(String boxId) { throw unused(); }
    @Override public List<ProxyRoute> proxyRoutes() { throw unused(); }
    @Override public List<ProxyRoute> proxyRoutes(String owner) { throw unused(); }
    @Override public ProxyRoute setProxy(String owner, String boxName, String subdomain, int port) { throw unused(); }
    @Override public void deleteProxy(String owner, String boxName, String subdomain) { throw unused(); }
    @Override public Exposure expose(String owner, String boxName, int boxPort) { throw unused(); }
    @Override public void unexpose(String owner, String boxName, int boxPort) { throw unused(); }
    @Override public List<Exposure> exposures() { throw unused(); }
}
