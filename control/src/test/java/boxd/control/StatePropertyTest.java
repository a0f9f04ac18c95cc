package boxd.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random command sequences (seeded; the seed is printed and in every failure message) applied to replicas: the
 * invariants hold after every command, and replicas applying the same log in different batchings end identical.
 */
class StatePropertyTest {
    @TempDir Path dir;

    static final String[] USERS = {"u0", "u1", "u2", "u3"};
    static final String[] WORKERS = {"w0", "w1", "w2"};

    /** A random but plausible command: small name, id, address and port spaces so that collisions happen. */
    static Command randomCommand(Random r, long t, List<String> ids) {
        String user = USERS[r.nextInt(USERS.length)];
        String name = "n" + r.nextInt(30);
        String worker = WORKERS[r.nextInt(WORKERS.length)];
        String id = !ids.isEmpty() && r.nextInt(3) == 0 ? ids.get(r.nextInt(ids.size())) : "b-" + r.nextInt(1000);
        return switch (r.nextInt(17)) {
            case 0 -> new Command.RegisterUser(user, "fp" + r.nextInt(6), "k", r.nextInt(5) == 0 ? "c" + r.nextInt(3) : "", t);
            case 1 -> new Command.AddKey(user, "fp" + r.nextInt(8), "k", t);
            case 2 -> new Command.RemoveKey(user, "fp" + r.nextInt(8));
            case 3 -> new Command.CreateInvite(user, "c" + r.nextInt(3), t);
            case 4, 5, 6 -> {
                ids.add(id);
                yield new Command.CreateBox(id, user, name, 1 + r.nextInt(4), 256 * (1 + r.nextInt(8)), 4, "",
                        "10.77.0." + (2 + r.nextInt(40)), 10_000 + r.nextInt(40), t);
            }
            case 7 -> new Command.DestroyBox(user, name, t);
            case 8 -> new Command.RebootBox(user, name, t);
            case 9, 10 -> new Command.AssignBox(id, worker, t);
            case 11 -> new Command.ReportBox(id, r.nextBoolean() ? "RUNNING" : "ERROR", r.nextBoolean() ? "" : "boom", t);
            case 12 -> new Command.ReportDestroyed(id, t);
            case 13 -> r.nextBoolean()
                    ? new Command.RegisterWorker(worker, "addr", 2 + r.nextInt(8), 1024 * (1 + r.nextInt(8)), t + r.nextInt(20_000), t)
                    : new Command.Heartbeat(worker, t + r.nextInt(20_000), t);
            case 14 -> new Command.ExpireWorker(worker, t);
            case 15 -> r.nextBoolean() ? new Command.SetProxy(user, name, r.nextBoolean() ? "" : "api", 1 + r.nextInt(9000), t)
                    : new Command.DeleteProxy(user, name, r.nextBoolean() ? "" : "api", t);
            default -> r.nextBoolean() ? new Command.Expose(user, name, 1 + r.nextInt(6), 40_000 + r.nextInt(20), t)
                    : new Command.Unexpose(user, name, 1 + r.nextInt(6), t);
        };
    }

    static void checkInvariants(Sql c, String context) throws SQLException {
        long dupNames = Reads.count(c, "SELECT count(*) - count(DISTINCT name) FROM boxes");
        assertEquals(0, dupNames, "box names unique " + context);
        long dupIps = Reads.count(c, "SELECT count(*) - count(DISTINCT ipv4) FROM boxes");
        assertEquals(0, dupIps, "box addresses unique " + context);
        assertEquals(Reads.count(c, "SELECT count(*) FROM boxes"), Reads.count(c,
                "SELECT count(*) FROM boxes b JOIN ip_allocations a ON a.box_id = b.id AND a.ipv4 = b.ipv4"),
                "every box holds its address allocation " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM ip_allocations WHERE box_id NOT IN (SELECT id FROM boxes)"),
                "no leaked address " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM port_allocations WHERE box_id NOT IN (SELECT id FROM boxes)"),
                "no leaked port " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM (SELECT box_id FROM exposures GROUP BY box_id HAVING count(*) > ?)",
                StateMachine.MAX_EXPOSURES_PER_BOX), "exposure quota " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM (SELECT owner FROM boxes GROUP BY owner HAVING count(*) > ?)",
                StateMachine.MAX_BOXES_PER_USER), "box quota " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM boxes WHERE owner NOT IN (SELECT name FROM users)"),
                "every box has an owner " + context);
        assertEquals(0, Reads.count(c, "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM ssh_keys k WHERE k.user = u.name)"),
                "every account keeps a key " + context);
    }

    @Test
    void invariantsHoldAndReplicasConverge() throws Exception {
        for (int round = 0; round < 6; round++) {
            long seed = System.nanoTime() ^ round;
            System.out.println("StatePropertyTest seed " + seed);
            Random r = new Random(seed);
            List<StateMachine.Entry> log = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            long t = 1_000_000;
            for (int i = 1; i <= 400; i++) {
                t += r.nextInt(3000);
                log.add(new StateMachine.Entry(i, randomCommand(r, t, ids)));
            }
            try (StateMachine a = new StateMachine(dir.resolve("a" + round + ".db"));
                 StateMachine b = new StateMachine(dir.resolve("b" + round + ".db"))) {
                int applied = 0;
                for (StateMachine.Entry e : log) {
                    Outcome o = a.applyBatch(List.of(e)).getFirst();
                    assertNotNull(o);
                    if (o instanceof Outcome.Applied) applied++;
                    if (o instanceof Outcome.Applied && e.command() instanceof Command.AssignBox as) {
                        // a worker may re-register smaller (its boxes stay), but no assignment ever overfills it
                        assertEquals(0, Reads.count(a.connection(), "SELECT count(*) FROM workers w WHERE w.id = ? AND ("
                                + "(SELECT coalesce(sum(cpus),0) FROM boxes WHERE worker = w.id) > w.cpus OR "
                                + "(SELECT coalesce(sum(memory_mb),0) FROM boxes WHERE worker = w.id) > w.memory_mb)", as.workerId()),
                                "capacity exceeded by " + as + " (seed " + seed + ")");
                    }
                    checkInvariants(a.connection(), "after entry " + e.index() + " " + e.command() + " (seed " + seed + ")");
                }
                assertTrue(applied > 50, "the generator produces enough valid commands: " + applied);
                // replica b gets the same log in random batches, with some batches delivered twice (replays)
                int i = 0;
                while (i < log.size()) {
                    int n = 1 + r.nextInt(40);
                    List<StateMachine.Entry> batch = log.subList(i, Math.min(log.size(), i + n));
                    b.applyBatch(batch);
                    if (r.nextInt(4) == 0) b.applyBatch(batch);
                    i += n;
                }
                assertEquals(a.dump(), b.dump(), "replicas differ (seed " + seed + ")");
                assertEquals(log.size(), b.lastApplied());
            }
        }
    }

    @Test
    void schedulerPlansAreAcceptedByApplyAndKeepCapacity() throws Exception {
        long seed = System.nanoTime();
        System.out.println("StatePropertyTest scheduler seed " + seed);
        Random r = new Random(seed);
        try (StateMachine sm = new StateMachine(dir.resolve("s.db"))) {
            long t = 1_000_000;
            for (int i = 0; i < 8; i++) sm.apply(new Command.RegisterUser("u" + i, "f" + i, "k", "", t));
            for (int w = 0; w < 6; w++)
                sm.apply(new Command.RegisterWorker("w" + w, "a", 1 + r.nextInt(16), 1024 * (1 + r.nextInt(16)), t + 60_000, t));
            int ip = 2;
            for (int step = 0; step < 30; step++) {
                t += 1000;
                for (int k = r.nextInt(10); k > 0; k--, ip++) {
                    sm.apply(new Command.CreateBox("b-" + ip, "u" + r.nextInt(8), "n" + ip, 1 + r.nextInt(4),
                            256 * (1 + r.nextInt(8)), 4, "", Ipv4Pool.format(Ipv4Pool.parse("10.77.0.0") + ip), 10_000 + ip, t));
                }
                if (r.nextInt(5) == 0) sm.apply(new Command.Heartbeat("w" + r.nextInt(6), t + 20_000, t));
                StateView view = new StateView(Reads.allBoxes(sm.connection()), Reads.workers(sm.connection()), sm.lastApplied());
                long now = t + r.nextInt(70_000);
                for (Command c : Scheduler.plan(view, now)) {
                    Outcome o = sm.apply(c);
                    assertInstanceOf(Outcome.Applied.class, o, () -> c + " -> " + o + " (seed " + seed + ")");
                }
                checkInvariants(sm.connection(), "at step " + step + " (seed " + seed + ")");
                assertEquals(0, Reads.count(sm.connection(), "SELECT count(*) FROM workers w WHERE "
                        + "(SELECT coalesce(sum(cpus),0) FROM boxes WHERE worker = w.id) > w.cpus OR "
                        + "(SELECT coalesce(sum(memory_mb),0) FROM boxes WHERE worker = w.id) > w.memory_mb"),
                        "worker capacity never exceeded (seed " + seed + ")");
                // a second plan over the new state proposes no assignment that apply would refuse either
                StateView after = new StateView(Reads.allBoxes(sm.connection()), Reads.workers(sm.connection()), sm.lastApplied());
                for (Command c : Scheduler.plan(after, now)) {
                    assertInstanceOf(Command.AssignBox.class, c, "expiries were all applied: " + c);
                }
            }
        }
    }
}
