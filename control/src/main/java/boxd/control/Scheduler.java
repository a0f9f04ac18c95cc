package boxd.control;

import boxd.common.Box;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.common.Worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The placement policy as a pure function: from a view of the replicated state and the leader's clock to the commands
 * that move it forward. No I/O; the leader proposes the result and {@link StateMachine} re-checks each command.
 * <ul>
 *   <li>a worker whose lease expired with boxes not yet LOST gets an {@link Command.ExpireWorker};</li>
 *   <li>each PENDING box without a worker (oldest first) goes to the live worker with room for its cpus and memory
 *       that has the fewest boxes, then the most free memory (spread), then the smallest id.</li>
 * </ul>
 */
public final class Scheduler {
    /** Bounds one round so a huge backlog becomes several smaller proposals. */
    public static final int MAX_COMMANDS_PER_PLAN = 2_000;

    private Scheduler() {}

    public static List<Command> plan(StateView view, long now) {
        List<Command> out = new ArrayList<>();
        Map<String, Load> load = new HashMap<>();
        for (Worker w : view.workers()) load.put(w.id(), new Load(w));
        Set<String> needsExpiry = new HashSet<>();
        List<Box> pending = new ArrayList<>();
        for (Box b : view.boxes()) {
            if (b.worker() != null) {
                Load l = load.get(b.worker());
                if (l != null) {
                    l.cpus += b.spec().cpus();
                    l.memory += b.spec().memoryMb();
                    l.count++;
                    if (l.worker.leaseExpiresAtMillis() < now && b.observed() != ObservedState.LOST) needsExpiry.add(b.worker());
                }
            } else if (b.observed() == ObservedState.PENDING && b.desired() != DesiredState.DESTROYED) {
                pending.add(b);
            }
        }
        needsExpiry.stream().sorted().forEach(w -> out.add(new Command.ExpireWorker(w, now)));
        List<Load> live = new ArrayList<>();
        for (Load l : load.values()) if (l.worker.leaseExpiresAtMillis() >= now) live.add(l);
        live.sort(Comparator.comparing(l -> l.worker.id()));
        pending.sort(Comparator.comparingLong(Box::createdAtMillis).thenComparing(Box::id));
        for (Box b : pending) {
            if (out.size() >= MAX_COMMANDS_PER_PLAN) break;
            Load best = null;
            for (Load l : live) {
                if (!l.fits(b)) continue;
                if (best == null || l.count < best.count
                        || (l.count == best.count && l.freeMemory() > best.freeMemory())) best = l;
            }
            if (best == null) continue; // stays PENDING until a worker has room
            best.cpus += b.spec().cpus();
            best.memory += b.spec().memoryMb();
            best.count++;
            out.add(new Command.AssignBox(b.id(), best.worker.id(), now));
        }
        return out;
    }

    private static final class Load {
        final Worker worker;
        long cpus, memory;
        int count;

        Load(Worker worker) { this.worker = worker; }

        boolean fits(Box b) {
            return cpus + b.spec().cpus() <= worker.cpus() && memory + b.spec().memoryMb() <= worker.memoryMb();
        }

        long freeMemory() { return worker.memoryMb() - memory; }
    }
}
