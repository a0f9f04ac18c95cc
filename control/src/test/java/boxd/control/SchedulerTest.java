package boxd.control;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.common.Worker;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SchedulerTest {
    static final long NOW = 1_000_000;

    static Box pending(String id, int cpus, int mem, long created) {
        return new Box(id, "n" + id, "u", new BoxSpec(cpus, mem, 4, ""), DesiredState.RUNNING, ObservedState.PENDING,
                null, "10.77.0.2", 10_000, created, created, "");
    }

    static Box on(String id, String worker, int cpus, int mem, ObservedState st) {
        return new Box(id, "n" + id, "u", new BoxSpec(cpus, mem, 4, ""), DesiredState.RUNNING, st, worker, "10.77.0.2",
                10_000, 0, 0, "");
    }

    static Worker worker(String id, int cpus, int mem, long lease) {
        return new Worker(id, "addr", cpus, mem, lease);
    }

    static Map<String, String> assignments(List<Command> plan) {
        Map<String, String> m = new HashMap<>();
        for (Command c : plan) if (c instanceof Command.AssignBox a) m.put(a.boxId(), a.workerId());
        return m;
    }

    @Test
    void spreadsBoxesOverLiveWorkers() {
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < 6; i++) boxes.add(pending("b" + i, 1, 512, i));
        var plan = Scheduler.plan(new StateView(boxes, List.of(worker("w1", 8, 8192, NOW + 1), worker("w2", 8, 8192, NOW + 1),
                worker("w3", 8, 8192, NOW + 1)), 0), NOW);
        Map<String, String> a = assignments(plan);
        assertEquals(6, a.size());
        for (String w : List.of("w1", "w2", "w3"))
            assertEquals(2, a.values().stream().filter(w::equals).count(), "two boxes on " + w + ": " + a);
        assertTrue(plan.stream().allMatch(c -> ((Command.AssignBox) c).atMillis() == NOW));
    }

    @Test
    void leavesBoxesPendingWhenNothingFitsAndSkipsExpiredWorkers() {
        var plan = Scheduler.plan(new StateView(List.of(pending("big", 16, 1024, 0), pending("small", 1, 256, 1)),
                List.of(worker("dead", 64, 65_536, NOW - 1), worker("tiny", 2, 512, NOW)), 0), NOW);
        assertEquals(Map.of("small", "tiny"), assignments(plan));
    }

    @Test
    void countsAssignedBoxesAgainstCapacity() {
        var plan = Scheduler.plan(new StateView(List.of(on("x", "w1", 3, 1000, ObservedState.RUNNING),
                pending("p", 2, 100, 0)), List.of(worker("w1", 4, 4096, NOW + 1), worker("w2", 2, 4096, NOW + 1)), 0), NOW);
        assertEquals(Map.of("p", "w2"), assignments(plan));
    }

    @Test
    void expiresWorkersWhoseLeaseEndedOnce() {
        var plan = Scheduler.plan(new StateView(List.of(on("x", "w1", 1, 100, ObservedState.RUNNING),
                on("y", "w2", 1, 100, ObservedState.LOST)), List.of(worker("w1", 4, 4096, NOW - 1),
                worker("w2", 4, 4096, NOW - 1)), 0), NOW);
        assertEquals(List.of(new Command.ExpireWorker("w1", NOW)), plan);
    }

    @Test
    void ignoresDestroyedAndAlreadyPlacedBoxes() {
        Box destroyed = new Box("d", "nd", "u", BoxSpec.DEFAULT, DesiredState.DESTROYED, ObservedState.PENDING, null,
                "10.77.0.2", 10_000, 0, 0, "");
        var plan = Scheduler.plan(new StateView(List.of(destroyed, on("s", "w1", 1, 100, ObservedState.SCHEDULED)),
                List.of(worker("w1", 4, 4096, NOW + 1)), 0), NOW);
        assertTrue(plan.isEmpty(), plan.toString());
    }

    @Test
    void placesTenThousandBoxesOverAThousandWorkersQuickly() {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) workers.add(worker(String.format("w%04d", i), 32, 65_536, NOW + 10_000));
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) boxes.add(pending("b" + i, 1 + i % 4, 512 * (1 + i % 4), i));
        long start = System.nanoTime();
        int placed = 0;
        StateView view = new StateView(boxes, workers, 0);
        // the plan is capped per round; apply rounds to the view like the leader would
        while (true) {
            List<Command> plan = Scheduler.plan(view, NOW);
            if (plan.isEmpty()) break;
            Map<String, String> a = assignments(plan);
            placed += a.size();
            List<Box> next = new ArrayList<>();
            for (Box b : view.boxes()) next.add(a.containsKey(b.id()) ? on(b.id(), a.get(b.id()), b.spec().cpus(),
                    b.spec().memoryMb(), ObservedState.SCHEDULED) : b);
            view = new StateView(next, workers, 0);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        assertEquals(10_000, placed);
        System.out.printf("scheduler: %d placements in %.3f s = %.0f/s%n", placed, secs, placed / secs);
        assertTrue(secs < 20, "took " + secs + " s");
    }
}
