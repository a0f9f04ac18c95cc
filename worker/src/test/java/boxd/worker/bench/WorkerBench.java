package boxd.worker.bench;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.testing.Cmd;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.control.ControlNode;
import boxd.worker.WorkerConfig;
import boxd.worker.WorkerRole;
import boxd.worker.runtime.NamespaceRuntime;
import boxd.worker.testing.BoxSsh;
import boxd.worker.testing.TestImages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Create-to-first-successful-exec latency of boxes on the worker (real single-node control plane, ns runtime, all in a
 * network namespace made here): N boxes one after another, then M at once; then memory per idle box. "exec" is
 * {@code ssh boxd@IP true} with the owner's key, straight to the box's sshd (the frontend's relay adds its own hop).
 *
 * <p>Run with bench/worker/run.sh [SEQUENTIAL] [CONCURRENT]. Needs root; builds the image once (minutes) if missing.
 */
public final class WorkerBench {
    public static void main(String[] args) throws Exception {
        int seq = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int conc = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        TestImages.rootfs();
        Path tmp = Files.createTempDirectory("boxd-bench");
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "bench");
        DataDir data = new DataDir(tmp.resolve("data")).create();
        WorkerRole w = null;
        WorkerConfig cfg = null;
        try (TestNetns ns = TestNetns.create("bxw-bench");
             ControlNode node = ControlNode.singleNode(tmp.resolve("control"))) {
            node.start();
            Control c = node.client();
            c.registerUser("bench", TestKeys.publicLine(key));
            cfg = new WorkerConfig(data, "w-bench", "ns", "boxd0", "10.77.0.0/16", null, TestImages.dir(), false,
                    64, 64_000, ns.name(), "", Duration.ofMillis(500), Duration.ofSeconds(1));
            w = new WorkerRole(cfg, c);
            w.start();
            BoxSpec spec = new BoxSpec(1, 256, 2, BoxSpec.DEFAULT_IMAGE);

            // warm-up (first start pays for page cache of the image)
            timeOne(c, ns, key, "warm", spec);
            destroyAll(c);

            List<Timing> seqT = new ArrayList<>();
            for (int i = 0; i < seq; i++) {
                seqT.add(timeOne(c, ns, key, "s" + i, spec));
            }
            List<Long> seqMs = totals(seqT);
            destroyAll(c);

            List<Timing> concT = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(conc);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < conc; i++) {
                String name = "c" + i;
                fs.add(pool.submit(() -> {
                    concT.add(timeOne(c, ns, key, name, spec));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            List<Long> concMs = totals(concT);

            // the ssh client's own share of the figures above: exec into an already running box
            List<Long> execMs = new ArrayList<>();
            Box first = c.boxes("bench").getFirst();
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                BoxSsh.run(ns, key, first.ipv4(), "true").requireSuccess();
                execMs.add((System.nanoTime() - t0) / 1_000_000);
            }

            Thread.sleep(3000);  // let the idle boxes settle
            NamespaceRuntime rt = (NamespaceRuntime) w.runtime();
            long cg = 0, pss = 0;
            int n = 0;
            for (Box b : c.boxes("bench")) {
                cg += rt.cgroups().memoryUsage(b.id());
                for (long pid : rt.cgroups().pids(b.id())) pss += pssKb(pid) * 1024;
                n++;
            }
            String label = "runtime=ns";
            System.out.printf("%n== boxd worker benchmark (%s, %d CPUs) ==%n", label, Runtime.getRuntime().availableProcessors());
            System.out.printf("%s create-to-first-exec, %d one after another: p50 %d ms, p95 %d ms, min %d ms, max %d ms%n",
                    label, seq, pct(seqMs, 50), pct(seqMs, 95), Collections.min(seqMs), Collections.max(seqMs));
            System.out.printf("%s   of which create-to-RUNNING (Raft, worker, sshd banner): p50 %d ms, p95 %d ms%n",
                    label, pct(toRunning(seqT), 50), pct(toRunning(seqT), 95));
            System.out.printf("%s create-to-first-exec, %d at once:         p50 %d ms, p95 %d ms, min %d ms, max %d ms%n",
                    label, conc, pct(concMs, 50), pct(concMs, 95), Collections.min(concMs), Collections.max(concMs));
            System.out.printf("%s   of which create-to-RUNNING (Raft, worker, sshd banner): p50 %d ms, p95 %d ms%n",
                    label, pct(toRunning(concT), 50), pct(toRunning(concT), 95));
            System.out.printf("%s exec alone (ssh boxd@IP true into a running box, 10 times): p50 %d ms, p95 %d ms%n",
                    label, pct(execMs, 50), pct(execMs, 95));
            System.out.printf("%s host load average at the end: %s%n", label,
                    Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("%s memory per idle box (%d boxes): cgroup %.1f MiB (incl. page cache), processes PSS %.1f MiB%n",
                    label, n, cg / (double) n / (1 << 20), pss / (double) n / (1 << 20));
            destroyAll(c);
            w.close();  // before the control node closes with the try: the worker reconciles until then
        } finally {
            if (w != null) w.close();
            if (cfg != null) {
                NamespaceRuntime rt = new NamespaceRuntime(data, cfg.network(), tmp);
                for (String id : rt.list()) rt.destroy(id);
            }
            Cmd.run("rm", "-rf", tmp.toString());
        }
        System.exit(0);
    }

    /** One box's create-to-first-exec, and its share up to the box reading RUNNING on the client's node. */
    private record Timing(long totalMs, long runningMs) {}

    private static Timing timeOne(Control c, TestNetns ns, Path key, String name, BoxSpec spec) {
        long t0 = System.nanoTime();
        Box b = c.createBox("bench", name, spec);
        Box r = c.awaitBox(b.id(), Box::isRunning, Duration.ofSeconds(120))
                .orElseThrow(() -> new IllegalStateException("box " + name + " vanished"));
        long running = (System.nanoTime() - t0) / 1_000_000;
        for (int i = 0; i < 50; i++) {
            if (BoxSsh.run(ns, key, r.ipv4(), "true").exit() == 0)
                return new Timing((System.nanoTime() - t0) / 1_000_000, running);
        }
        throw new IllegalStateException("exec in box " + name + " never succeeded");
    }

    private static List<Long> totals(List<Timing> t) { return t.stream().map(Timing::totalMs).toList(); }

    private static List<Long> toRunning(List<Timing> t) { return t.stream().map(Timing::runningMs).toList(); }

    private static void destroyAll(Control c) {
        List<Box> boxes = c.boxes("bench");
        for (Box b : boxes) c.destroyBox("bench", b.name());
        for (Box b : boxes) c.awaitBox(b.id(), x -> false, Duration.ofSeconds(120));
    }

    private static long pssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (l.startsWith("Pss:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (Exception ignored) {
            // exited
        }
        return 0;
    }

    private static long pct(List<Long> v, int p) {
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
        return s.get(Math.max(0, Math.min(s.size() - 1, i)));
    }
}
