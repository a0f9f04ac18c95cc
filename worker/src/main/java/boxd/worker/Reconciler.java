package boxd.worker;

import boxd.common.Box;
import boxd.common.ObservedState;
import boxd.worker.runtime.RuntimeState;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The worker's decisions, with no I/O: from the boxes assigned to this worker (desired) and what this host has of
 * each (actual), the actions that move the host toward the desired state.
 *
 * <pre>
 * desired RUNNING:    absent/stopped -> Start (unless observed ERROR: that waits for a reboot or destroy)
 *                     running, not managed by this process -> Adopt
 *                     running, managed -> Report RUNNING when the record says otherwise; SyncKeys when keys changed
 * desired REBOOTING:  -> Restart
 * desired DESTROYED:  anything here -> Destroy (then reported); nothing here -> ReportDestroyed
 * not assigned here:  anything here -> RemoveOrphan
 * busy (an action in flight): nothing
 * </pre>
 */
public final class Reconciler {
    private Reconciler() {}

    /**
     * What this host has of one box.
     *
     * @param managed     whether this worker process started or adopted it (false after a worker restart)
     * @param busy        whether an action for it is in flight
     * @param keysDigest  digest of the authorized_keys installed by this process, or null when unknown
     */
    public record Actual(RuntimeState.Phase phase, boolean managed, boolean busy, String keysDigest) {
        public static final Actual ABSENT = new Actual(RuntimeState.Phase.ABSENT, false, false, null);
    }

    /**
     * @param desired     the boxes assigned to this worker ({@code Control.boxesOn})
     * @param actual      what the host has, by box id (missing = absent); includes boxes not in {@code desired}
     * @param wantedKeys  digest of the keys each box should have, by box id (missing = no opinion)
     */
    public static List<Action> plan(List<Box> desired, Map<String, Actual> actual, Map<String, String> wantedKeys) {
        List<Action> out = new ArrayList<>();
        Set<String> assigned = new HashSet<>();
        for (Box b : desired) {
            assigned.add(b.id());
            Actual a = actual.getOrDefault(b.id(), Actual.ABSENT);
            if (a.busy()) continue;
            switch (b.desired()) {
                case DESTROYED -> out.add(a.phase() == RuntimeState.Phase.ABSENT
                        ? new Action.ReportDestroyed(b.id()) : new Action.Destroy(b.id()));
                case REBOOTING -> out.add(new Action.Restart(b));
                case RUNNING -> planRunning(b, a, wantedKeys.get(b.id()), out);
            }
        }
        for (Map.Entry<String, Actual> e : actual.entrySet()) {
            if (!assigned.contains(e.getKey()) && !e.getValue().busy() && e.getValue().phase() != RuntimeState.Phase.ABSENT)
                out.add(new Action.RemoveOrphan(e.getKey()));
        }
        return out;
    }

    private static void planRunning(Box b, Actual a, String wantedKeys, List<Action> out) {
        switch (a.phase()) {
            case ABSENT, STOPPED -> {
                if (b.observed() != ObservedState.ERROR) out.add(new Action.Start(b));
            }
            case RUNNING -> {
                if (!a.managed()) {
                    out.add(new Action.Adopt(b));
                    return;
                }
                if (b.observed() != ObservedState.RUNNING) {
                    out.add(new Action.Report(b.id(), ObservedState.RUNNING, ""));
                } else if (wantedKeys != null && !Objects.equals(wantedKeys, a.keysDigest())) {
                    out.add(new Action.SyncKeys(b));
                }
            }
        }
    }
}
