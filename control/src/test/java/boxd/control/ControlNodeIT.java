package boxd.control;

import boxd.control.Linearizability.Op;
import boxd.control.Linearizability.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Control nodes in separate JVMs on loopback: a 3-voter cluster whose leader is SIGKILLed while clients create boxes,
 * a follower paused (SIGSTOP) and resumed, and a single node killed and restarted.
 */
class ControlNodeIT {
    @TempDir Path dir;
    final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (NodeProcess n : nodes) {
            if (n.alive()) {
                signal(n, "CONT");
                n.close();
            }
        }
    }

    static void signal(NodeProcess n, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(n.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    }

    List<NodeProcess> cluster(int size, int snapshotSecs) throws Exception {
        int[] raft = new int[size], ctl = new int[size];
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            raft[i] = NodeProcess.freePort();
            ctl[i] = NodeProcess.freePort();
            peers.add("127.0.0.1:" + raft[i]);
        }
        for (int i = 0; i < size; i++)
            nodes.add(new NodeProcess("n" + (i + 1), dir.resolve("n" + (i + 1)), raft[i], ctl[i], String.join(",", peers), snapshotSecs));
        for (NodeProcess n : nodes) n.start();
        for (NodeProcess n : nodes) n.awaitUp(60_000);
        return nodes;
    }

    NodeProcess leader() throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (NodeProcess n : nodes) {
                if (!n.alive()) continue;
                try {
                    String l = n.leader();
                    for (NodeProcess m : nodes) if (m.alive() && l.equals(m.raftAddress())) return m;
                } catch (IOException ignored) { /* node busy or down */ }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader elected within 30 s");
    }

    String request(NodeProcess n, String req) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            String r = n.call(req, 15_000);
            if (!r.startsWith("err UNAVAILABLE") || System.currentTimeMillis() > deadline) return r;
            Thread.sleep(200);
        }
    }

    void awaitConverged() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            List<Long> idx = new ArrayList<>();
            for (NodeProcess n : nodes) idx.add(n.applied());
            if (idx.stream().distinct().count() == 1) break;
            if (System.currentTimeMillis() > deadline) fail("replicas did not converge: applied indexes " + idx);
            Thread.sleep(200);
        }
        String first = nodes.getFirst().dump();
        for (NodeProcess n : nodes.subList(1, nodes.size()))
            assertEquals(first, n.dump(), "replica " + n.id + " differs from " + nodes.getFirst().id);
    }

    @Test
    void leaderKilledWhileClientsCreateLosesNoAcknowledgedWrite() throws Exception {
        cluster(3, 2); // frequent snapshots: the restarted node catches up from a snapshot plus the log
        NodeProcess first = leader();
        int clients = 8, perClient = 14;
        for (int c = 0; c < clients; c++) assertEquals("ok u" + c, request(first, "register u" + c + " " + c));

        List<Op> history = new CopyOnWriteArrayList<>();
        List<String> acked = new CopyOnWriteArrayList<>();
        AtomicInteger ackedAfterKill = new AtomicInteger();
        long t0 = System.nanoTime();
        long[] killedAt = {Long.MAX_VALUE};
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            pool.submit(() -> {
                Random r = new Random(client);
                for (int i = 0; i < perClient; i++) {
                    String name = "c" + client + "-" + i;
                    NodeProcess n = nodes.get(r.nextInt(nodes.size()));
                    long inv = System.nanoTime() - t0;
                    Type type;
                    try {
                        String resp = n.call("create u" + client + " " + name, 20_000);
                        type = resp.startsWith("ok ") ? Type.OK
                                : resp.startsWith("err UNAVAILABLE") || resp.startsWith("err TIMEOUT") || resp.startsWith("err INTERNAL")
                                ? Type.INFO : Type.FAIL;
                        if (type == Type.FAIL) System.out.println("create " + name + " refused: " + resp);
                    } catch (IOException e) {
                        type = Type.INFO; // the node died with the request in flight
                    }
                    long done = System.nanoTime() - t0;
                    history.add(new Op(name, true, inv, done, type, false));
                    if (type == Type.OK) {
                        acked.add(name);
                        if (inv > killedAt[0]) ackedAfterKill.incrementAndGet();
                    }
                    // a linearizable read of some box created so far, through a random node
                    List<String> known = new ArrayList<>(acked);
                    if (!known.isEmpty()) {
                        String probe = r.nextBoolean() ? known.get(r.nextInt(known.size())) : "c" + r.nextInt(clients) + "-" + r.nextInt(perClient);
                        NodeProcess m = nodes.get(r.nextInt(nodes.size()));
                        long ri = System.nanoTime() - t0;
                        try {
                            String resp = m.call("exists " + probe, 10_000);
                            long rc = System.nanoTime() - t0;
                            if (resp.equals("yes") || resp.equals("no"))
                                history.add(new Op(probe, false, ri, rc, Type.OK, resp.equals("yes")));
                        } catch (IOException ignored) { /* an unanswered read constrains nothing */ }
                    }
                }
                return null;
            });
        }
        while (acked.size() < 25) Thread.sleep(20);
        NodeProcess victim = leader();
        killedAt[0] = System.nanoTime() - t0;
        victim.kill();
        System.out.println("killed leader " + victim.id + " after " + acked.size() + " acknowledged creates");
        pool.shutdown();
        assertTrue(pool.awaitTermination(150, TimeUnit.SECONDS), "clients finished");

        assertTrue(ackedAfterKill.get() > 0, "creates succeed again after the leader died (new leader elected)");
        victim.start();
        victim.awaitUp(60_000);
        awaitConverged();
        System.out.println("restarted " + victim.id + " installed snapshots: " + victim.call("installed", 5000));

        for (NodeProcess n : nodes) {
            for (String name : acked) assertEquals("yes", n.call("exists " + name, 10_000), name + " on " + n.id);
        }
        // the final state is one more read of every name, after everything
        long end = System.nanoTime() - t0;
        String dump = nodes.getFirst().dump();
        for (Op op : List.copyOf(history)) {
            if (op.create()) history.add(new Op(op.name(), false, end, end + 1, Type.OK, dump.contains("|" + op.name() + "|")));
        }
        List<String> problems = Linearizability.check(history);
        assertEquals(List.of(), problems, "history of " + history.size() + " operations is not linearizable");
        System.out.println("cluster: " + acked.size() + " acknowledged creates, " + history.size() + " operations checked");

        // a follower paused (cut off) while writes continue, then resumed, converges
        NodeProcess lead = leader();
        NodeProcess follower = nodes.stream().filter(n -> n != lead).findFirst().orElseThrow();
        assertEquals("ok late", request(lead, "register late 99"));
        signal(follower, "STOP");
        for (int i = 0; i < 10; i++) {
            String r = request(lead, "create late late-" + i);
            assertTrue(r.startsWith("ok "), r);
        }
        Thread.sleep(2500); // long enough for a snapshot to cover the writes it missed
        signal(follower, "CONT");
        awaitConverged();
        assertEquals("yes", follower.call("exists late-9", 10_000));
    }

    @Test
    void aSingleNodeKilledWithSigkillRestartsWithItsState() throws Exception {
        NodeProcess n = new NodeProcess("solo", dir.resolve("solo"), NodeProcess.freePort(), NodeProcess.freePort(), "-", 600);
        nodes.add(n);
        n.start();
        n.awaitUp(60_000);
        assertEquals("ok alice", request(n, "register alice 1"));
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 5; i++) {
            String r = request(n, "create alice box-" + i);
            assertTrue(r.startsWith("ok b-"), r);
            ids.add(r.substring(3));
        }
        String before = n.dump();
        n.kill();
        n.start();
        n.awaitUp(60_000);
        assertEquals(before, n.dump());
        assertTrue(request(n, "create alice box-5").startsWith("ok b-"));
    }
}
