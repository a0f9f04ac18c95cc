package boxd.worker;

import boxd.common.Box;
import boxd.common.ObservedState;

/**
 * One step the worker takes toward the desired state, as planned by {@link Reconciler}. Carried out by the executor in
 * {@link WorkerRole}; each names the box it touches, and the executor runs at most one action per box at a time.
 */
public sealed interface Action {

    String boxId();

    /** Create (if needed) and start the box; report STARTING, then RUNNING once its sshd answers, or ERROR. */
    record Start(Box box) implements Action {
        public String boxId() { return box.id(); }
    }

    /** The box runs but this worker process does not manage it yet (it restarted): re-attach, or start it if that fails. */
    record Adopt(Box box) implements Action {
        public String boxId() { return box.id(); }
    }

    /** Desired REBOOTING: stop, start again, report RUNNING (which returns desired to RUNNING). */
    record Restart(Box box) implements Action {
        public String boxId() { return box.id(); }
    }

    /** Desired DESTROYED: tear everything down, then report the box destroyed. */
    record Destroy(String boxId) implements Action {}

    /** Desired DESTROYED and nothing of it is here (torn down earlier): only report it destroyed. */
    record ReportDestroyed(String boxId) implements Action {}

    /** Runtime and record disagree about an otherwise settled box: report what it is. */
    record Report(String boxId, ObservedState observed, String error) implements Action {}

    /** The owner's keys changed while the box runs: rewrite its authorized_keys. */
    record SyncKeys(Box box) implements Action {
        public String boxId() { return box.id(); }
    }

    /** Something of a box this worker is no longer assigned (or that no longer exists) is here: remove it, report nothing. */
    record RemoveOrphan(String boxId) implements Action {}
}
