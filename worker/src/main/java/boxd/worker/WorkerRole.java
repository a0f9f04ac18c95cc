package boxd.worker;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import boxd.common.ObservedState;
import boxd.common.PlatformKey;
import boxd.common.Role;
import boxd.common.SshKey;
import boxd.worker.image.RootfsImage;
import boxd.worker.runtime.BoxLaunch;
import boxd.worker.runtime.BoxRuntime;
import boxd.worker.runtime.NamespaceRuntime;
import boxd.worker.runtime.RuntimeState;
import boxd.worker.vm.VmRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The worker role: registers this host's capacity, keeps its lease, and drives the boxes the control plane assigned
 * to it toward their desired state. Every change applied on this node ({@link Control#watch}) and a periodic tick
 * trigger a reconcile pass: {@link Reconciler#plan} decides, and the executor here carries out each action on a pool,
 * at most one per box at a time, reporting observed states back through the control plane.
 *
 * <p>Boxes are separate processes (ns runtime): they keep running while the worker is down; a new worker process with
 * the same id adopts them (or restarts them), and removes anything of boxes no longer assigned to it. vm boxes live in
 * this process ({@link VmRuntime}): they end with it and the next worker process starts them again from their disks.
 */
public final class WorkerRole implements Role {
    private static final Logger log = LoggerFactory.getLogger(WorkerRole.class);

    private final WorkerConfig config;
    private final Control control;
    private final Function<WorkerConfig, BoxRuntime> runtimeFactory;
    private final boolean defaultFactory;

    private final Map<String, String> managed = new ConcurrentHashMap<>();  // box id -> digest of installed keys
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Object wake = new Object();
    private volatile boolean dirty = true;
    private volatile boolean closed;
    private volatile BoxRuntime runtime;
    private volatile String notReady = "the box image is being prepared";
    private volatile PlatformKey platformKey;
    private ExecutorService actions;
    private Thread loop;
    private Thread beat;
    private AutoCloseable watch;

    public WorkerRole(WorkerConfig config, Control control) {
        this(config, control, null);
    }

    /**
     * @param runtimeFactory makes the runtime once the image is ready (tests); null for the one named in the config
     */
    public WorkerRole(WorkerConfig config, Control control, Function<WorkerConfig, BoxRuntime> runtimeFactory) {
        this.config = config;
        this.control = control;
        this.defaultFactory = runtimeFactory == null;
        this.runtimeFactory = runtimeFactory != null ? runtimeFactory : WorkerRole::defaultRuntime;
    }

    @Override
    public String name() { return "worker"; }

    @Override
    public String describe() {
        return "worker " + config.workerId() + ": runtime " + config.runtime() + ", bridge " + config.bridge() + " "
                + config.gateway() + "/" + config.prefixLength() + (config.netns() != null ? " in netns " + config.netns() : "")
                + ", capacity " + config.cpus() + " CPUs " + config.memoryMb() + " MiB" + (config.egress() ? ", egress on" : "");
    }

    /** {@return the runtime, once the image is ready (null before)} */
    public BoxRuntime runtime() { return runtime; }

    @Override
    public void start() {
        if (defaultFactory && "vm".equals(config.runtime())) {
            List<String> reasons = VmRuntime.unavailableReasons(config.guestKernel());
            if (!reasons.isEmpty())
                throw new BoxdException(ErrorCode.INTERNAL, "the vm runtime cannot run here: " + String.join("; ", reasons),
                        "fix that and start again, or start with --runtime=ns (Linux namespaces), which runs the same image");
        }
        if (defaultFactory && "ns".equals(config.runtime())) {
            List<String> missing = NamespaceRuntime.missingTools();
            if (!missing.isEmpty())
                throw new BoxdException(ErrorCode.INTERNAL, "the ns runtime needs host tools that are missing: "
                        + String.join(", ", missing), "install them and start again");
        }
        config.dataDir().create();
        platformKey = PlatformKey.loadOrCreate(config.dataDir().keys());
        if (defaultFactory) config.network().ensureBridge();  // fail fast without root
        control.registerWorker(config.workerId(), config.address(), config.cpus(), config.memoryMb());
        actions = Executors.newFixedThreadPool(Math.max(10, Runtime.getRuntime().availableProcessors() * 4),
                Thread.ofPlatform().name("worker-action-", 0).daemon(true).factory());
        watch = control.watch(this::poke);
        beat = Thread.ofPlatform().name("worker-heartbeat").daemon(true).start(this::heartbeatLoop);
        loop = Thread.ofPlatform().name("worker-reconcile").daemon(true).start(this::reconcileLoop);
    }

    /** Asks for a reconcile pass soon (never blocks: safe from the control plane's thread). */
    public void poke() {
        dirty = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void heartbeatLoop() {
        while (!closed) {
            try {
                control.heartbeat(config.workerId());
            } catch (RuntimeException e) {
                log.warn("worker heartbeat failed: {}", e.getMessage());
            }
            sleep(config.heartbeat().toMillis());
        }
    }

    private void reconcileLoop() {
        prepareRuntime();
        while (!closed) {
            synchronized (wake) {
                if (!dirty) {
                    try {
                        wake.wait(config.tick().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
            if (closed) return;
            try {
                reconcileOnce();
            } catch (RuntimeException e) {
                log.warn("worker reconcile pass failed: {}", e.getMessage(), e);
            }
        }
    }

    /** Builds or finds the image, then makes the runtime; while that runs boxes wait as SCHEDULED. */
    private void prepareRuntime() {
        while (!closed && runtime == null) {
            try {
                runtime = runtimeFactory.apply(config);
                notReady = null;
                log.info("worker runtime {} ready", runtime.name());
            } catch (RuntimeException e) {
                notReady = e.getMessage();
                log.error("worker cannot prepare its runtime: {}", e.getMessage());
                for (Box b : safeBoxesOn()) {
                    if (b.observed() != ObservedState.ERROR && b.desired() != boxd.common.DesiredState.DESTROYED)
                        report(b.id(), ObservedState.ERROR, "the worker cannot run boxes: " + e.getMessage());
                }
                sleep(30_000);
            }
        }
    }

    private static BoxRuntime defaultRuntime(WorkerConfig c) {
        RootfsImage image = new RootfsImage(c.imagesDir());
        RootfsImage.Built built = image.ensure((phase, elapsed) ->
                log.info("box image {}: {} ({} s)", image.hash(), phase, elapsed.toSeconds()));
        if ("vm".equals(c.runtime())) return new VmRuntime(c.dataDir(), c.network(), c.guestKernel(), built.ext4());
        return new NamespaceRuntime(c.dataDir(), c.network(), built.root());
    }

    private List<Box> safeBoxesOn() {
        try {
            return control.boxesOn(config.workerId());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** One pass: observe, plan, dispatch. Public for tests that want to step the worker. */
    public synchronized void reconcileOnce() {
        BoxRuntime rt = runtime;
        if (rt == null) return;
        List<Box> desired = control.boxesOn(config.workerId());
        Set<String> ids = new LinkedHashSet<>();
        desired.forEach(b -> ids.add(b.id()));
        ids.addAll(rt.list());
        ids.addAll(busy);
        Map<String, Reconciler.Actual> actual = new HashMap<>();
        for (String id : ids) {
            RuntimeState s = busy.contains(id) ? RuntimeState.absent() : rt.inspect(id);
            actual.put(id, new Reconciler.Actual(s.phase(), managed.containsKey(id), busy.contains(id), managed.get(id)));
        }
        Map<String, List<String>> keysByOwner = new HashMap<>();
        Map<String, String> wanted = new HashMap<>();
        for (Box b : desired) {
            if (b.desired() == boxd.common.DesiredState.DESTROYED) continue;
            wanted.put(b.id(), digest(keysByOwner.computeIfAbsent(b.owner(), this::authorizedKeys)));
        }
        for (Action a : Reconciler.plan(desired, actual, wanted)) dispatch(a, keysByOwner);
    }

    private void dispatch(Action a, Map<String, List<String>> keysByOwner) {
        if (!busy.add(a.boxId())) return;
        log.debug("worker action {}", a);
        try {
            actions.execute(() -> {
                try {
                    carryOut(a, keysByOwner);
                } catch (RuntimeException e) {
                    log.warn("worker action {} on box {} failed: {}", a.getClass().getSimpleName(), a.boxId(), e.getMessage());
                } finally {
                    busy.remove(a.boxId());
                    poke();
                }
            });
        } catch (RuntimeException e) {
            busy.remove(a.boxId());  // pool closed
        }
    }

    private void carryOut(Action a, Map<String, List<String>> keysByOwner) {
        BoxRuntime rt = runtime;
        switch (a) {
            case Action.Start s -> {
                report(s.boxId(), ObservedState.STARTING, "");
                startAndReport(rt, s.box(), keysByOwner);
            }
            case Action.Adopt ad -> {
                BoxLaunch l = launch(ad.box(), keysByOwner);
                if (rt.adopt(l)) {
                    managed.put(l.id(), digestOf(l));
                    if (ad.box().observed() != ObservedState.RUNNING) report(l.id(), ObservedState.RUNNING, "");
                    log.info("adopted running box {} ({})", ad.box().name(), l.id());
                } else {
                    report(l.id(), ObservedState.STARTING, "");
                    startAndReport(rt, ad.box(), keysByOwner);
                }
            }
            case Action.Restart r -> {
                report(r.boxId(), ObservedState.STARTING, "");
                managed.remove(r.boxId());
                try {
                    rt.stop(r.boxId());
                } catch (RuntimeException e) {
                    report(r.boxId(), ObservedState.ERROR, "reboot failed to stop the box: " + e.getMessage());
                    return;
                }
                startAndReport(rt, r.box(), keysByOwner);
            }
            case Action.Destroy d -> {
                managed.remove(d.boxId());
                try {
                    rt.destroy(d.boxId());
                } catch (RuntimeException e) {
                    report(d.boxId(), ObservedState.ERROR, "destroy failed: " + e.getMessage());
                    throw e;
                }
                control.reportDestroyed(d.boxId());
                log.debug("destroyed box {}", d.boxId());
            }
            case Action.ReportDestroyed d -> control.reportDestroyed(d.boxId());
            case Action.Report r -> report(r.boxId(), r.observed(), r.error());
            case Action.SyncKeys k -> {
                BoxLaunch l = launch(k.box(), keysByOwner);
                rt.updateKeys(l.id(), l.authorizedKeys());
                managed.put(l.id(), digestOf(l));
            }
            case Action.RemoveOrphan o -> {
                managed.remove(o.boxId());
                log.info("removing box {}: it is not assigned to worker {}", o.boxId(), config.workerId());
                rt.destroy(o.boxId());
            }
        }
    }

    private void startAndReport(BoxRuntime rt, Box box, Map<String, List<String>> keysByOwner) {
        try {
            BoxLaunch l = launch(box, keysByOwner);
            rt.create(l);
            rt.start(l);
            managed.put(l.id(), digestOf(l));
            report(box.id(), ObservedState.RUNNING, "");
        } catch (RuntimeException e) {
            managed.remove(box.id());
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof BoxdException be && !be.hint().isEmpty()) msg += " (" + be.hint() + ")";
            report(box.id(), ObservedState.ERROR, msg);
            log.warn("box {} failed to start: {}", box.name(), msg);
        }
    }

    private BoxLaunch launch(Box b, Map<String, List<String>> keysByOwner) {
        List<String> keys = keysByOwner.computeIfAbsent(b.owner(), this::authorizedKeys);
        String ip = b.ipv4() == null ? null : b.ipv4().replaceFirst("/.*$", "");
        return new BoxLaunch(b.id(), b.name(), b.spec(), ip, config.prefixLength(), config.gateway(), keys);
    }

    /**
     * The owner's current keys plus the platform's: every SSH frontend's key in the replica (frontends on other hosts
     * included) and this host's own.
     */
    private List<String> authorizedKeys(String owner) {
        Map<String, String> byFingerprint = new java.util.LinkedHashMap<>();
        for (SshKey k : control.keys(owner)) byFingerprint.putIfAbsent(k.fingerprint(), k.publicKey());
        List<String> platform = new ArrayList<>(control.platformKeys());
        platform.add(platformKey.authorizedKeyLine());
        for (String line : platform) {
            try {
                byFingerprint.putIfAbsent(boxd.common.AuthorizedKey.parse(line).fingerprint(), line);
            } catch (BoxdException e) {
                log.warn("skipping a platform key that does not parse: {}", e.getMessage());
            }
        }
        return List.copyOf(byFingerprint.values());
    }

    private static String digestOf(BoxLaunch l) { return digest(l.authorizedKeys()); }

    private static String digest(List<String> lines) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String l : lines) md.update((l + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void report(String boxId, ObservedState s, String error) {
        try {
            control.reportBox(boxId, s, error == null ? "" : error);
        } catch (RuntimeException e) {
            log.warn("cannot report box {} as {}: {}", boxId, s.label(), e.getMessage());
        }
    }

    /** {@return why the worker cannot run boxes yet, or null when it can} */
    public String notReady() { return notReady; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        poke();
        try {
            if (watch != null) watch.close();
        } catch (Exception ignored) {
            // control plane already closed
        }
        if (loop != null) loop.interrupt();
        if (beat != null) beat.interrupt();
        if (actions != null) {
            actions.shutdown();
            try {
                // let in-flight starts finish so nothing is left half made; boxes themselves keep running
                if (!actions.awaitTermination(60, TimeUnit.SECONDS)) actions.shutdownNow();
            } catch (InterruptedException e) {
                actions.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (loop != null) loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        BoxRuntime rt = runtime;
        if (rt != null) rt.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
