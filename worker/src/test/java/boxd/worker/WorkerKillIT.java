package boxd.worker;

import boxd.common.Box;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.control.ControlNode;
import boxd.worker.runtime.NamespaceRuntime;
import boxd.worker.testing.BoxSsh;
import boxd.worker.testing.TestImages;
import boxd.worker.testing.WorkerProcessMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** kill -9 of the process running control plane + worker: the box keeps running and the next process adopts it. */
class WorkerKillIT {
    @TempDir
    Path tmp;

    @Test
    void boxSurvivesKill9AndIsAdoptedByTheNextProcess() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        TestImages.rootfs();
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "owner");
        Path control = tmp.resolve("control");
        Path data = tmp.resolve("data");
        try (TestNetns ns = TestNetns.create("bxw-k9")) {
            var cfg = WorkerProcessMain.config(data, ns.name(), TestImages.dir());
            NamespaceRuntime rt = new NamespaceRuntime(new DataDir(data), cfg.network(), tmp);
            Process child = null;
            try {
                String java = ProcessHandle.current().info().command().orElse("java");
                child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", WorkerProcessMain.class.getName(),
                        control.toString(), data.toString(), ns.name(), TestImages.dir().toString(), TestKeys.publicLine(key))
                        .redirectError(tmp.resolve("child.err").toFile()).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String l; (l = out.readLine()) != null; ) if (l.startsWith("RUNNING ")) return l;
                        return null;
                    } catch (java.io.IOException e) {
                        return null;
                    }
                }).get(180, TimeUnit.SECONDS);
                assertNotNull(line, "child never reported its box running; see " + tmp.resolve("child.err"));
                String id = line.split(" ")[1];
                String ip = line.split(" ")[2];
                assertEquals("k9", BoxSsh.run(ns, key, ip, "hostname").stdout().strip());
                long pid1 = rt.initPid(id).orElseThrow();

                child.destroyForcibly();  // SIGKILL
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                assertEquals("k9", BoxSsh.run(ns, key, ip, "hostname").stdout().strip(), "box runs while its worker is dead");

                try (ControlNode node = ControlNode.singleNode(control)) {
                    node.start();
                    Control c = node.client();
                    try (WorkerRole w = new WorkerRole(cfg, c)) {
                        w.start();
                        for (int i = 0; i < 200 && w.runtime() == null; i++) Thread.sleep(50);
                        Thread.sleep(2000);  // a few reconcile passes
                        assertEquals(pid1, rt.initPid(id).orElseThrow(), "adopted: same PID 1, not restarted");
                        assertTrue(c.boxById(id).orElseThrow().isRunning());
                        assertEquals("k9", BoxSsh.run(ns, key, ip, "hostname").stdout().strip());
                        c.destroyBox("owner", "k9");
                        assertTrue(c.awaitBox(id, b -> false, Duration.ofSeconds(60)).isEmpty(), "destroyed");
                        assertTrue(rt.list().isEmpty(), "nothing left: " + rt.list());
                    }
                }
            } finally {
                if (child != null) child.destroyForcibly();
                for (String id : rt.list()) rt.destroy(id);
            }
        }
    }
}
