package boxd.worker;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.DesiredState;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.control.ControlNode;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.NamespaceRuntime;
import boxd.worker.testing.BoxSsh;
import boxd.worker.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** The worker against a real single-node control plane, running ns boxes inside a network namespace made here. */
class WorkerRoleIT {
    @TempDir
    Path tmp;

    private static final Duration T = Duration.ofSeconds(90);

    @Test
    void createReachAddKeyRestartWorkerRebootDestroy() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        TestImages.rootfs();
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "alice");
        Path key2 = TestKeys.ed25519(tmp.resolve("keys"), "alice2");
        DataDir data = new DataDir(tmp.resolve("data")).create();
        try (TestNetns ns = TestNetns.create("bxw-role");
             ControlNode node = ControlNode.singleNode(tmp.resolve("control"))) {
            node.start();
            Control c = node.client();
            c.registerUser("alice", TestKeys.publicLine(key));
            WorkerConfig cfg = new WorkerConfig(data, "w-test", "ns", "boxd0", "10.77.0.0/16", null, TestImages.dir(), false,
                    2, 4096, ns.name(), "", Duration.ofMillis(500), Duration.ofSeconds(1));
            WorkerRole w = new WorkerRole(cfg, c);
            try {
                w.start();
                Box box = c.createBox("alice", "web", new BoxSpec(1, 256, 1, BoxSpec.DEFAULT_IMAGE));
                Box running = c.awaitBox(box.id(), Box::isRunning, T).orElseThrow();
                assertEquals("w-test", running.worker());
                String ip = running.ipv4();
                Cmd.Result hn = BoxSsh.run(ns, key, ip, "hostname");
                assertEquals("web", hn.stdout().strip(), hn.stderr());

                // a key added later reaches the running box
                c.addKey("alice", TestKeys.publicLine(key2));
                awaitSsh(ns, key2, ip);

                // restart the worker: the box is adopted, not restarted, and still reachable
                long pid1 = ((NamespaceRuntime) w.runtime()).initPid(box.id()).orElseThrow();
                w.close();
                assertEquals("web", BoxSsh.run(ns, key, ip, "hostname").stdout().strip(), "box runs while the worker is down");
                w = new WorkerRole(cfg, c);
                w.start();
                awaitRuntime(w);
                Thread.sleep(1500);  // a few reconcile passes
                assertEquals(pid1, ((NamespaceRuntime) w.runtime()).initPid(box.id()).orElseThrow(), "adopted, same PID 1");
                assertEquals("web", BoxSsh.run(ns, key2, ip, "hostname").stdout().strip());
                assertTrue(c.boxById(box.id()).orElseThrow().isRunning());

                // reboot: a new PID 1, the disk kept
                BoxSsh.run(ns, key, ip, "echo kept > ~/f").requireSuccess();
                c.rebootBox("alice", "web");
                c.awaitBox(box.id(), b -> b.isRunning() && b.desired() == DesiredState.RUNNING
                        && ((NamespaceRuntime) runtimeOf(b)).initPid(b.id()).map(p -> p != pid1).orElse(false), T);
                assertEquals("kept", BoxSsh.run(ns, key, ip, "cat ~/f").stdout().strip());

                // destroy: reported, record and address freed, nothing left on the host
                c.destroyBox("alice", "web");
                assertTrue(c.awaitBox(box.id(), b -> false, T).isEmpty(), "box record removed");
                assertFalse(Files.exists(data.box(box.id())), "box dir removed");
                assertNotEquals(0, ns.exec("ip", "link", "show", BoxNetwork.vethName(box.id())).exit(), "veth removed");
                Box again = c.createBox("alice", "web2", new BoxSpec(1, 256, 1, BoxSpec.DEFAULT_IMAGE));
                assertEquals(ip, again.ipv4(), "address returned to the pool");
                c.awaitBox(again.id(), Box::isRunning, T);
                assertEquals("web2", BoxSsh.run(ns, key, ip, "hostname").stdout().strip());
                c.destroyBox("alice", "web2");
                assertTrue(c.awaitBox(again.id(), b -> false, T).isEmpty());
            } finally {
                w.close();
                // whatever a failed assertion left: tear it down
                NamespaceRuntime rt = new NamespaceRuntime(data, cfg.network(), tmp);
                for (String id : rt.list()) rt.destroy(id);
            }
        }
    }

    private WorkerRole current;

    private Object runtimeOf(Box b) { return current.runtime(); }

    private void awaitRuntime(WorkerRole w) throws InterruptedException {
        current = w;
        for (int i = 0; i < 600 && w.runtime() == null; i++) Thread.sleep(50);
        assertNotNull(w.runtime(), "runtime ready: " + w.notReady());
    }

    private static void awaitSsh(TestNetns ns, Path key, String ip) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        Cmd.Result r;
        do {
            r = BoxSsh.run(ns, key, ip, "true");
            if (r.exit() == 0) return;
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        fail("new key not accepted within 20 s: " + r.stderr());
    }
}
