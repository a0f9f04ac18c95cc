package boxd.control;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control-plane benchmark (run by bench/control/run.sh): box creates on a 3-node boxd cluster (separate JVMs on
 * loopback, sent to the leader) next to puts of the same payload size on a 3-node etcd (its JSON gateway, HTTP/1.1
 * keep-alive) at 1 and 64 concurrent clients, with the same client harness; then scheduler placements per second.
 *
 * <p>Arguments: WORK_DIR [OPS_AT_1] [OPS_PER_CLIENT_AT_64]
 */
public final class ControlBench {
    record Figures(String system, int clients, int ops, double seconds, long p50us, long p99us, int errors, double cpuMsPerOp) {
        @Override
        public String toString() {
            return String.format("%-6s clients=%-3d ops=%-5d %8.0f ops/s   p50 %7.2f ms   p99 %7.2f ms   cpu %5.2f ms/op (3 servers)%s",
                    system, clients, ops, ops / seconds, p50us / 1000.0, p99us / 1000.0, cpuMsPerOp,
                    errors == 0 ? "" : "   errors=" + errors);
        }
    }

    /** {@return user+system CPU time of the servers' processes so far, in ms} */
    static long cpuMillis(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            sum += ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toMillis).orElse(0L);
        }
        return sum;
    }

    interface Op { void run(int client, int i) throws Exception; }

    static Figures measure(String system, List<Long> pids, int clients, int perClient, Op op) throws Exception {
        long[] lat = new long[clients * perClient];
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1), done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perClient; i++) {
                        long t = System.nanoTime();
                        try {
                            op.run(client, i);
                        } catch (Exception e) {
                            if (errors.incrementAndGet() < 5) System.err.println(system + ": " + e.getMessage());
                        }
                        lat[client * perClient + i] = (System.nanoTime() - t) / 1000;
                    }
                } catch (InterruptedException ignored) {
                    // stop
                } finally {
                    done.countDown();
                }
            });
        }
        long cpu0 = cpuMillis(pids);
        long t0 = System.nanoTime();
        start.countDown();
        done.await();
        double secs = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuMillis(pids) - cpu0;
        Arrays.sort(lat);
        return new Figures(system, clients, lat.length, secs, lat[lat.length / 2], lat[(int) (lat.length * 0.99)],
                (int) errors.get(), (double) cpu / lat.length);
    }

    /** Creates {@code per} boxes from each of {@code clients} connections to the leader; measured unless nodes is null. */
    static Figures runBoxd(NodeProcess target, int clients, int per, String tag, List<NodeProcess> nodes) throws Exception {
        NodeProcess.Conn[] conns = new NodeProcess.Conn[clients];
        for (int c = 0; c < clients; c++) conns[c] = target.connect();
        try {
            // accounts: at most MAX_BOXES_PER_USER boxes each, registered before the clock starts
            for (int c = 0; c < clients; c++) {
                for (int u = 0; u * StateMachine.MAX_BOXES_PER_USER < per; u++) {
                    String r = conns[c].call("register " + tag + c + "u" + u + " " + (tag.hashCode() * 1_000_003L + c * 1000L + u));
                    if (!r.startsWith("ok")) throw new IllegalStateException(r);
                }
            }
            List<Long> pids = nodes == null ? List.of() : nodes.stream().map(NodeProcess::pid).toList();
            return measure("boxd", pids, clients, per, (c, i) -> {
                String r = conns[c].call("create " + tag + c + "u" + (i / StateMachine.MAX_BOXES_PER_USER) + " " + tag + c + "-" + i);
                if (!r.startsWith("ok")) throw new IOException(r);
            });
        } finally {
            for (NodeProcess.Conn conn : conns) conn.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int opsAt1 = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int perClientAt64 = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        // the payload of one create as it travels through the Raft log
        int payload = CommandCodec.encode(new Command.CreateBox("b-0123456789ab", "bench-user-1", "bench-box-0001", 1, 512, 4,
                "debian-bookworm", "10.77.0.2", 10_000, System.currentTimeMillis())).length;
        System.out.println("payload: " + payload + " bytes per create (boxd log entry) / per put value (etcd)");
        List<Figures> results = new ArrayList<>();

        // ---- boxd ----
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            List<String> peers = new ArrayList<>();
            int[] raft = new int[3], ctl = new int[3];
            for (int i = 0; i < 3; i++) {
                raft[i] = NodeProcess.freePort();
                ctl[i] = NodeProcess.freePort();
                peers.add("127.0.0.1:" + raft[i]);
            }
            for (int i = 0; i < 3; i++) {
                NodeProcess n = new NodeProcess("boxd" + (i + 1), work.resolve("boxd" + (i + 1)), raft[i], ctl[i], String.join(",", peers), 600);
                n.jvmFlags = List.of("-Xmx512m", "-XX:+UseParallelGC");
                nodes.add(n);
                n.start();
            }
            for (NodeProcess n : nodes) n.awaitUp(90_000);
            NodeProcess leader = null;
            for (int tries = 0; leader == null && tries < 300; tries++) {
                String l = nodes.getFirst().leader();
                for (NodeProcess n : nodes) if (n.raftAddress().equals(l)) leader = n;
                if (leader == null) Thread.sleep(100);
            }
            if (leader == null) throw new IllegalStateException("no boxd leader");
            NodeProcess target = leader;
            // warm-up (not measured): JIT-compile the servers' hot paths, as in a long-running control plane
            runBoxd(target, 16, 40, "warm", null);
            for (int[] run : new int[][]{{1, opsAt1}, {64, perClientAt64}}) {
                Figures f = runBoxd(target, run[0], run[1], "c" + run[0] + "x", nodes);
                System.out.println(f);
                results.add(f);
            }
        } finally {
            for (NodeProcess n : nodes) n.kill();
        }

        // ---- etcd ----
        List<Process> etcds = new ArrayList<>();
        try {
            int[] client = new int[3], peer = new int[3];
            StringBuilder cluster = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                client[i] = NodeProcess.freePort();
                peer[i] = NodeProcess.freePort();
                cluster.append(i > 0 ? "," : "").append("e").append(i + 1).append("=http://127.0.0.1:").append(peer[i]);
            }
            for (int i = 0; i < 3; i++) {
                Path dir = work.resolve("etcd" + (i + 1));
                Files.createDirectories(dir);
                etcds.add(new ProcessBuilder("etcd", "--name", "e" + (i + 1), "--data-dir", dir.resolve("data").toString(),
                        "--listen-client-urls", "http://127.0.0.1:" + client[i], "--advertise-client-urls", "http://127.0.0.1:" + client[i],
                        "--listen-peer-urls", "http://127.0.0.1:" + peer[i], "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer[i],
                        "--initial-cluster", cluster.toString(), "--initial-cluster-state", "new", "--initial-cluster-token", "boxd-bench",
                        "--log-level", "error").redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start());
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            int leader = -1;
            Pattern ids = Pattern.compile("\"member_id\":\"?(\\d+)\"?.*\"leader\":\"?(\\d+)\"?");
            for (int tries = 0; leader < 0 && tries < 300; tries++) {
                for (int i = 0; i < 3 && leader < 0; i++) {
                    try {
                        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + client[i] + "/v3/maintenance/status"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).body();
                        Matcher m = ids.matcher(body);
                        if (m.find() && m.group(1).equals(m.group(2))) leader = i;
                    } catch (IOException notYet) {
                        // starting
                    }
                }
                if (leader < 0) Thread.sleep(100);
            }
            if (leader < 0) throw new IllegalStateException("no etcd leader; see " + work.resolve("etcd1/etcd.log"));
            URI put = URI.create("http://127.0.0.1:" + client[leader] + "/v3/kv/put");
            String value = Base64.getEncoder().encodeToString("x".repeat(payload).getBytes(StandardCharsets.US_ASCII));
            measure("etcd", List.of(), 16, 40, (c, i) -> http.send(HttpRequest.newBuilder(put).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"key\":\"" + Base64.getEncoder().encodeToString(("/warm/" + c + "-" + i).getBytes(StandardCharsets.UTF_8))
                            + "\",\"value\":\"" + value + "\"}")).build(), HttpResponse.BodyHandlers.ofString())); // warm-up
            for (int[] run : new int[][]{{1, opsAt1}, {64, perClientAt64}}) {
                int clients = run[0], per = run[1];
                List<Long> pids = etcds.stream().map(Process::pid).toList();
                Figures f = measure("etcd", pids, clients, per, (c, i) -> {
                    String key = Base64.getEncoder().encodeToString(("/boxes/c" + clients + "-" + c + "-" + i).getBytes(StandardCharsets.UTF_8));
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(put).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) throw new IOException("etcd put: " + r.statusCode() + " " + r.body());
                });
                System.out.println(f);
                results.add(f);
            }
        } finally {
            for (Process p : etcds) {
                p.destroyForcibly();
                p.waitFor();
            }
        }

        // ---- scheduler ----
        schedulerBench(work);

        System.out.println();
        System.out.println("summary (same run, same machine):");
        for (Figures f : results) System.out.println("  " + f);
    }

    static void schedulerBench(Path work) throws Exception {
        long now = System.currentTimeMillis();
        List<boxd.common.Worker> workers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) workers.add(new boxd.common.Worker(String.format("w%04d", i), "a", 32, 65_536, now + 3_600_000));
        List<boxd.common.Box> boxes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) boxes.add(new boxd.common.Box("b-" + i, "n" + i, "u", new boxd.common.BoxSpec(1 + i % 4,
                512 * (1 + i % 4), 4, ""), boxd.common.DesiredState.RUNNING, boxd.common.ObservedState.PENDING, null, "10.77.0.2",
                10_000, i, i, ""));
        // plan only: the pure function over an in-memory view, rounds until every box is placed
        for (int warm = 0; warm < 3; warm++) Scheduler.plan(new StateView(boxes, workers, 0), now);
        long t = System.nanoTime();
        int placed = 0;
        StateView view = new StateView(boxes, workers, 0);
        while (true) {
            List<Command> plan = Scheduler.plan(view, now);
            if (plan.isEmpty()) break;
            Map<String, String> a = new HashMap<>();
            for (Command c : plan) if (c instanceof Command.AssignBox x) a.put(x.boxId(), x.workerId());
            placed += a.size();
            List<boxd.common.Box> next = new ArrayList<>(view.boxes().size());
            for (boxd.common.Box b : view.boxes()) next.add(a.containsKey(b.id()) ? new boxd.common.Box(b.id(), b.name(), b.owner(),
                    b.spec(), b.desired(), boxd.common.ObservedState.SCHEDULED, a.get(b.id()), b.ipv4(), b.sshPort(),
                    b.createdAtMillis(), b.updatedAtMillis(), b.lastError()) : b);
            view = new StateView(next, workers, 0);
        }
        double planSecs = (System.nanoTime() - t) / 1e9;
        System.out.printf("scheduler plan only:      %d placements, 10,000 boxes over 1,000 workers, %.3f s = %,.0f placements/s%n",
                placed, planSecs, placed / planSecs);

        // plan + apply: the same placements re-checked and written by the state machine (one SQLite transaction per
        // plan round), reading the view back from SQLite each round: what the leader does minus the Raft round trip
        try (StateMachine sm = new StateMachine(work.resolve("sched.db"))) {
            List<StateMachine.Entry> setup = new ArrayList<>();
            long idx = 0;
            for (int u = 0; u < 500; u++) setup.add(new StateMachine.Entry(++idx, new Command.RegisterUser("u" + u, "f" + u, "k", "", now)));
            for (boxd.common.Worker w : workers)
                setup.add(new StateMachine.Entry(++idx, new Command.RegisterWorker(w.id(), "a", w.cpus(), w.memoryMb(), now + 3_600_000, now)));
            for (int i = 0; i < 10_000; i++)
                setup.add(new StateMachine.Entry(++idx, new Command.CreateBox("b-" + i, "u" + (i / 20), "n" + i, 1 + i % 4, 512 * (1 + i % 4), 4,
                        "", Ipv4Pool.format(Ipv4Pool.parse("10.77.0.2") + i), 10_000 + i, now + i)));
            sm.applyBatch(setup);
            t = System.nanoTime();
            int applied = 0;
            while (true) {
                StateView v = new StateView(Reads.allBoxes(sm.connection()), Reads.workers(sm.connection()), sm.lastApplied());
                List<Command> plan = Scheduler.plan(v, now);
                if (plan.isEmpty()) break;
                List<StateMachine.Entry> batch = new ArrayList<>();
                for (Command c : plan) batch.add(new StateMachine.Entry(++idx, c));
                for (Outcome o : sm.applyBatch(batch)) if (o instanceof Outcome.Applied) applied++;
            }
            double secs = (System.nanoTime() - t) / 1e9;
            System.out.printf("scheduler plan + apply:   %d placements re-checked and written to SQLite, %.3f s = %,.0f placements/s%n",
                    applied, secs, applied / secs);
        }
    }
}
