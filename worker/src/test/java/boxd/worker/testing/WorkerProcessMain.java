package boxd.worker.testing;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.control.ControlNode;
import boxd.worker.WorkerConfig;
import boxd.worker.WorkerRole;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in for {@code boxd serve} (control plane + worker in one JVM) that a test runs as a child process and kills
 * with SIGKILL. Args: controlDir dataDir netns imagesDir ownerPublicKeyLine. Prints "RUNNING id ip" once its box runs.
 */
public final class WorkerProcessMain {
    public static void main(String[] a) throws Exception {
        ControlNode node = ControlNode.singleNode(Path.of(a[0]));
        node.start();
        Control c = node.client();
        if (c.user("owner").isEmpty()) c.registerUser("owner", a[4]);
        WorkerRole w = new WorkerRole(config(Path.of(a[1]), a[2], Path.of(a[3])), c);
        w.start();
        Box b = c.box("owner", "k9").orElseGet(() -> c.createBox("owner", "k9", new BoxSpec(1, 256, 1, BoxSpec.DEFAULT_IMAGE)));
        Box r = c.awaitBox(b.id(), Box::isRunning, Duration.ofSeconds(120)).orElseThrow();
        System.out.println("RUNNING " + r.id() + " " + r.ipv4());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    public static WorkerConfig config(Path data, String netns, Path images) {
        return new WorkerConfig(new DataDir(data), "w-k9", "ns", "boxd0", "10.77.0.0/16", null, images, false, 2, 4096,
                netns, "", Duration.ofMillis(500), Duration.ofSeconds(1));
    }
}
