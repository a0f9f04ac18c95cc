package boxd.worker;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DataDir;
import boxd.common.DesiredState;
import boxd.common.ObservedState;
import boxd.worker.runtime.RuntimeState;
import boxd.worker.testing.FakeControl;
import boxd.worker.testing.FakeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** The executor and loop of {@link WorkerRole}, over a fake control plane and a fake runtime (no root). */
class WorkerRoleTest {
    @TempDir
    Path tmp;

    private static final Duration T = Duration.ofSeconds(10);
    private static final String K1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0key1 alice@one";
    private static final String K2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0key2 alice@two";

    private WorkerConfig config() {
        return new WorkerConfig(new DataDir(tmp), "w1", "ns", "boxd0", "10.77.0.0/16", null, tmp.resolve("images"), false,
                4, 4096, null, "", Duration.ofMillis(100), Duration.ofMillis(100));
    }

    private WorkerRole role(FakeControl c, FakeRuntime rt) {
        return new WorkerRole(config(), c, cfg -> rt);
    }

    @Test
    void vmRuntimeWithoutAKernelRefusesToStartSayingWhatToDo() {
        WorkerConfig vm = config().withRuntime("vm").withKernel(tmp.resolve("images/kernel/current/vmlinux"));
        try (WorkerRole w = new WorkerRole(vm, new FakeControl())) {
            boxd.common.BoxdException e = assertThrows(boxd.common.BoxdException.class, w::start);
            assertTrue(e.getMessage().contains("no guest kernel at " + tmp.resolve("images/kernel/current/vmlinux"))
                    && e.getMessage().contains("boxd image build kernel"), e.getMessage());
            assertTrue(e.hint().contains("--runtime=ns"), e.hint());
        }
    }

    @Test
    void runsDestroysRebootsAndSyncsKeys() {
        FakeControl c = new FakeControl();
        FakeRuntime rt = new FakeRuntime();
        c.setKeys("alice", K1);
        try (WorkerRole w = role(c, rt)) {
            w.start();
            assertEquals(4, c.worker.cpus());
            Box b = c.add("alice", "web", BoxSpec.DEFAULT, "w1");
            c.awaitBox(b.id(), x -> x.observed() == ObservedState.RUNNING, T);
            assertTrue(c.reports.contains(b.id() + " STARTING"), c.reports.toString());
            assertTrue(rt.keys.get(b.id()).contains(K1), "owner key installed");
            assertTrue(rt.keys.get(b.id()).stream().anyMatch(k -> k.startsWith("ecdsa-sha2-nistp256 ") && k.endsWith("boxd-platform")),
                    "platform key installed: " + rt.keys.get(b.id()));

            c.setKeys("alice", K1, K2);
            await(() -> rt.keys.get(b.id()).contains(K2), "new key reaches the running box");

            c.setDesired(b.id(), DesiredState.REBOOTING);
            c.awaitBox(b.id(), x -> x.desired() == DesiredState.RUNNING && x.observed() == ObservedState.RUNNING, T);
            assertTrue(rt.calls.contains("stop " + b.id()), rt.calls.toString());

            c.setDesired(b.id(), DesiredState.DESTROYED);
            await(() -> c.destroyed.contains(b.id()), "destroyed and reported");
            assertEquals(RuntimeState.Phase.ABSENT, rt.inspect(b.id()).phase());
            assertTrue(c.heartbeats.get() > 0, "heartbeats sent");
        }
    }

    @Test
    void failedStartIsReportedWithItsReasonAndNotRetriedInALoop() throws Exception {
        FakeControl c = new FakeControl();
        FakeRuntime rt = new FakeRuntime();
        rt.failStart.add("bad");
        try (WorkerRole w = role(c, rt)) {
            w.start();
            Box b = c.add("alice", "bad", BoxSpec.DEFAULT, "w1");
            Box e = c.awaitBox(b.id(), x -> x.observed() == ObservedState.ERROR, T).orElseThrow();
            assertTrue(e.lastError().contains("cannot start bad: test failure"), e.lastError());
            Thread.sleep(500);
            assertEquals(1, rt.calls.stream().filter(s -> s.equals("start " + b.id())).count(), "one try: " + rt.calls);
            rt.failStart.clear();
            c.setDesired(b.id(), DesiredState.REBOOTING);
            c.awaitBox(b.id(), x -> x.observed() == ObservedState.RUNNING, T);
        }
    }

    @Test
    void restartedWorkerAdoptsRunningBoxesAndRemovesOrphans() {
        FakeControl c = new FakeControl();
        FakeRuntime rt = new FakeRuntime();
        Box b;
        try (WorkerRole w = role(c, rt)) {
            w.start();
            b = c.add("alice", "web", BoxSpec.DEFAULT, "w1");
            c.awaitBox(b.id(), x -> x.observed() == ObservedState.RUNNING, T);
        }
        assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(b.id()).phase(), "boxes keep running while the worker is down");
        rt.phases.put("b-0000000000ff", RuntimeState.Phase.RUNNING);  // left from a box no longer assigned here
        int starts = (int) rt.calls.stream().filter(s -> s.startsWith("start ")).count();
        try (WorkerRole w = role(c, rt)) {
            w.start();
            await(() -> rt.calls.contains("adopt " + b.id()), "adopted");
            await(() -> !rt.phases.containsKey("b-0000000000ff"), "orphan removed");
            assertEquals(starts, rt.calls.stream().filter(s -> s.startsWith("start ")).count(), "not restarted");
            assertEquals(ObservedState.RUNNING, c.boxes.get(b.id()).observed());
        }
    }

    @Test
    void boxesOfOtherWorkersAreLeftAlone() throws Exception {
        FakeControl c = new FakeControl();
        FakeRuntime rt = new FakeRuntime();
        try (WorkerRole w = role(c, rt)) {
            w.start();
            Box other = c.add("alice", "elsewhere", BoxSpec.DEFAULT, "w2");
            Thread.sleep(400);
            assertFalse(rt.calls.stream().anyMatch(s -> s.contains(other.id())), rt.calls.toString());
            assertEquals(ObservedState.SCHEDULED, c.boxes.get(other.id()).observed());
        }
    }

    private static void await(java.util.function.BooleanSupplier cond, String what) {
        long end = System.nanoTime() + T.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out waiting: " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
