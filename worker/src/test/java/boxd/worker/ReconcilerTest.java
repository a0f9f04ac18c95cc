package boxd.worker;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.worker.Reconciler.Actual;
import boxd.worker.runtime.RuntimeState.Phase;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ReconcilerTest {

    private static Box box(String id, DesiredState d, ObservedState o) {
        return new Box(id, "n" + id.substring(2), "alice", BoxSpec.DEFAULT, d, o, "w1", "10.77.0.2", 10001, 1, 1, "");
    }

    private static Actual running(boolean managed, String keys) { return new Actual(Phase.RUNNING, managed, false, keys); }

    @Test
    void newBoxIsStarted() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.SCHEDULED);
        assertEquals(List.of(new Action.Start(b)), Reconciler.plan(List.of(b), Map.of(), Map.of()));
    }

    @Test
    void stoppedBoxThatShouldRunIsStartedAgain() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.RUNNING);
        assertEquals(List.of(new Action.Start(b)),
                Reconciler.plan(List.of(b), Map.of("b-1", new Actual(Phase.STOPPED, true, false, "k")), Map.of()));
    }

    @Test
    void failedBoxWaitsForRebootOrDestroy() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.ERROR);
        assertEquals(List.of(), Reconciler.plan(List.of(b), Map.of("b-1", new Actual(Phase.STOPPED, true, false, null)), Map.of()));
        Box r = box("b-1", DesiredState.REBOOTING, ObservedState.ERROR);
        assertEquals(List.of(new Action.Restart(r)), Reconciler.plan(List.of(r), Map.of(), Map.of()));
    }

    @Test
    void busyBoxIsLeftAlone() {
        Box b = box("b-1", DesiredState.DESTROYED, ObservedState.RUNNING);
        assertEquals(List.of(), Reconciler.plan(List.of(b), Map.of("b-1", new Actual(Phase.RUNNING, true, true, null)), Map.of()));
        assertEquals(List.of(), Reconciler.plan(List.of(), Map.of("b-9", new Actual(Phase.RUNNING, false, true, null)), Map.of()),
                "an orphan being handled is not planned twice");
    }

    @Test
    void runningBoxAfterWorkerRestartIsAdopted() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.RUNNING);
        assertEquals(List.of(new Action.Adopt(b)), Reconciler.plan(List.of(b), Map.of("b-1", running(false, null)), Map.of("b-1", "k")));
    }

    @Test
    void settledRunningBoxNeedsNothing() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.RUNNING);
        assertEquals(List.of(), Reconciler.plan(List.of(b), Map.of("b-1", running(true, "k")), Map.of("b-1", "k")));
        assertEquals(List.of(), Reconciler.plan(List.of(b), Map.of("b-1", running(true, "k")), Map.of()), "no key opinion");
    }

    @Test
    void runningBoxRecordedOtherwiseIsReportedRunning() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.STARTING);
        assertEquals(List.of(new Action.Report("b-1", ObservedState.RUNNING, "")),
                Reconciler.plan(List.of(b), Map.of("b-1", running(true, "k")), Map.of("b-1", "k")));
    }

    @Test
    void changedKeysAreSynced() {
        Box b = box("b-1", DesiredState.RUNNING, ObservedState.RUNNING);
        assertEquals(List.of(new Action.SyncKeys(b)),
                Reconciler.plan(List.of(b), Map.of("b-1", running(true, "old")), Map.of("b-1", "new")));
    }

    @Test
    void rebootRestarts() {
        Box b = box("b-1", DesiredState.REBOOTING, ObservedState.RUNNING);
        assertEquals(List.of(new Action.Restart(b)), Reconciler.plan(List.of(b), Map.of("b-1", running(true, "k")), Map.of()));
    }

    @Test
    void destroyTearsDownThenReports() {
        Box b = box("b-1", DesiredState.DESTROYED, ObservedState.RUNNING);
        assertEquals(List.of(new Action.Destroy("b-1")), Reconciler.plan(List.of(b), Map.of("b-1", running(true, "k")), Map.of()));
        assertEquals(List.of(new Action.Destroy("b-1")),
                Reconciler.plan(List.of(b), Map.of("b-1", new Actual(Phase.STOPPED, false, false, null)), Map.of()),
                "a stopped leftover is torn down too");
        assertEquals(List.of(new Action.ReportDestroyed("b-1")), Reconciler.plan(List.of(b), Map.of(), Map.of()));
    }

    @Test
    void boxesNotAssignedHereAreRemovedWithoutReport() {
        Map<String, Actual> actual = new HashMap<>();
        actual.put("b-9", running(false, null));
        actual.put("b-8", new Actual(Phase.STOPPED, false, false, null));
        actual.put("b-7", Actual.ABSENT);
        List<Action> plan = Reconciler.plan(List.of(), actual, Map.of());
        assertEquals(2, plan.size(), plan.toString());
        assertTrue(plan.contains(new Action.RemoveOrphan("b-9")));
        assertTrue(plan.contains(new Action.RemoveOrphan("b-8")));
    }

    @Test
    void manyBoxesEachGetTheirOwnAction() {
        Box a = box("b-1", DesiredState.RUNNING, ObservedState.SCHEDULED);
        Box b = box("b-2", DesiredState.DESTROYED, ObservedState.RUNNING);
        Box c = box("b-3", DesiredState.RUNNING, ObservedState.RUNNING);
        List<Action> plan = Reconciler.plan(List.of(a, b, c),
                Map.of("b-2", running(true, "k"), "b-3", running(true, "k")), Map.of("b-3", "k"));
        assertEquals(List.of(new Action.Start(a), new Action.Destroy("b-2")), plan);
    }
}
