package boxd.worker.testing;

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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Just enough of the control plane for the worker: boxes assigned to one worker, keys, reports, watch. */
public final class FakeControl implements Control {
    public final Map<String, Box> boxes = new ConcurrentHashMap<>();
    public final Map<String, List<SshKey>> keys = new ConcurrentHashMap<>();
    public final List<String> destroyed = new CopyOnWriteArrayList<>();
    public final List<String> reports = new CopyOnWriteArrayList<>();
    public final AtomicInteger heartbeats = new AtomicInteger();
    public volatile Worker worker;
    private final List<String> platformKeys = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger applied = new AtomicInteger();

    public synchronized Box add(String owner, String name, BoxSpec spec, String worker) {
        int n = seq.incrementAndGet();
        Box b = new Box(String.format("b-%012x", n), name, owner, spec, DesiredState.RUNNING, ObservedState.SCHEDULED, worker,
                "10.77.0." + (n + 1), 10000 + n, 1, 1, "");
        boxes.put(b.id(), b);
        changed();
        return b;
    }

    public void setDesired(String id, DesiredState d) {
        boxes.computeIfPresent(id, (k, b) -> new Box(b.id(), b.name(), b.owner(), b.spec(), d, b.observed(), b.worker(),
                b.ipv4(), b.sshPort(), b.createdAtMillis(), System.currentTimeMillis(), b.lastError()));
        changed();
    }

    public void setKeys(String owner, String... lines) {
        List<SshKey> l = new ArrayList<>();
        for (String s : lines) l.add(new SshKey(owner, "SHA256:" + s.hashCode(), s, 1));
        keys.put(owner, l);
        changed();
    }

    private void changed() {
        applied.incrementAndGet();
        listeners.forEach(Runnable::run);
    }

    @Override public List<Box> boxesOn(String workerId) {
        return boxes.values().stream().filter(b -> workerId.equals(b.worker())).toList();
    }

    @Override public void reportBox(String boxId, ObservedState observed, String error) {
        reports.add(boxId + " " + observed + (error.isEmpty() ? "" : " " + error));
        boxes.computeIfPresent(boxId, (k, b) -> new Box(b.id(), b.name(), b.owner(), b.spec(),
                b.desired() == DesiredState.REBOOTING && observed == ObservedState.RUNNING ? DesiredState.RUNNING : b.desired(),
                observed, b.worker(), b.ipv4(), b.sshPort(), b.createdAtMillis(), System.currentTimeMillis(), error));
        changed();
    }

    @Override public void reportDestroyed(String boxId) {
        if (boxes.remove(boxId) != null) destroyed.add(boxId);
        changed();
    }

    @Override public void registerWorker(String id, String address, int cpus, int memoryMb) {
        worker = new Worker(id, address, cpus, memoryMb, System.currentTimeMillis() + 10_000);
    }

    @Override public void heartbeat(String workerId) { heartbeats.incrementAndGet(); }

    @Override public List<SshKey> keys(String user) { return keys.getOrDefault(user, List.of()); }

    @Override public AutoCloseable watch(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override public long appliedIndex() { return applied.get(); }

    @Override public Optional<Box> boxById(String id) { return Optional.ofNullable(boxes.get(id)); }

    @Override public List<Worker> workers() { return worker == null ? List.of() : List.of(worker); }

    @Override public List<Box> allBoxes() { return List.copyOf(boxes.values()); }

    @Override public Optional<Box> awaitBox(String id, Predicate<Box> until, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Box b = boxes.get(id);
            if (b == null) return Optional.empty();
            if (until.test(b)) return Optional.of(b);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("box " + id + " did not reach the state in " + timeout + ": " + boxes.get(id) + "; reports " + reports);
    }

    // ---- not used by the worker ----
    @Override public Optional<User> userByKeyFingerprint(String fingerprint) { throw new UnsupportedOperationException(); }
    @Override public Optional<User> user(String name) { throw new UnsupportedOperationException(); }
    @Override public long userCount() { throw new UnsupportedOperationException(); }
    @Override public User registerUser(String name, String publicKey) { throw new UnsupportedOperationException(); }
    @Override public SshKey addKey(String user, String publicKey) { throw new UnsupportedOperationException(); }
    @Override public void removeKey(String user, String fingerprint) { throw new UnsupportedOperationException(); }
    @Override public synchronized void addPlatformKey(String publicKey) { if (!platformKeys.contains(publicKey)) platformKeys.add(publicKey); }
    @Override public synchronized List<String> platformKeys() { return List.copyOf(platformKeys); }
    @Override public String createInvite(String admin) { throw new UnsupportedOperationException(); }
    @Override public User redeemInvite(String code, String name, String publicKey) { throw new UnsupportedOperationException(); }
    @Override public Box createBox(String owner, String name, BoxSpec spec) { throw new UnsupportedOperationException(); }
    @Override public void destroyBox(String owner, String name) { throw new UnsupportedOperationException(); }
    @Override public void rebootBox(String owner, String name) { throw new UnsupportedOperationException(); }
    @Override public Optional<Box> box(String owner, String name) { throw new UnsupportedOperationException(); }
    @Override public Optional<Box> boxByName(String name) { throw new UnsupportedOperationException(); }
    @Override public List<Box> boxes(String owner) { throw new UnsupportedOperationException(); }
    @Override public List<ProxyRoute> proxyRoutes() { throw new UnsupportedOperationException(); }
    @Override public List<ProxyRoute> proxyRoutes(String owner) { throw new UnsupportedOperationException(); }
    @Override public ProxyRoute setProxy(String owner, String boxName, String subdomain, int port) { throw new UnsupportedOperationException(); }
    @Override public void deleteProxy(String owner, String boxName, String subdomain) { throw new UnsupportedOperationException(); }
    @Override public Exposure expose(String owner, String boxName, int boxPort) { throw new UnsupportedOperationException(); }
    @Override public void unexpose(String owner, String boxName, int boxPort) { throw new UnsupportedOperationException(); }
    @Override public List<Exposure> exposures() { throw new UnsupportedOperationException(); }
}
