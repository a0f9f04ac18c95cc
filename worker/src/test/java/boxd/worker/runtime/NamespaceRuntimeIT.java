package boxd.worker.runtime;

import boxd.common.BoxSpec;
import boxd.common.DataDir;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.worker.HostCommand;
import boxd.worker.image.RootfsImage;
import boxd.worker.net.BoxNetwork;
import boxd.worker.testing.BoxSsh;
import boxd.worker.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NamespaceRuntimeIT {

    @TempDir
    Path tmp;

    @Test
    void boxRunsSshdWithLimitsAndLeavesNothingBehind() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        RootfsImage.Built image = TestImages.rootfs();
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "owner");
        Path key2 = TestKeys.ed25519(tmp.resolve("keys"), "later");
        DataDir dataDir = new DataDir(tmp.resolve("data")).create();
        String id = "b-0123456789ab";
        String ip = "10.77.0.2";
        try (TestNetns ns = TestNetns.create("bxw-ns")) {
            BoxNetwork net = new BoxNetwork("boxd0", "10.77.0.1", 16, ns.name(), false);
            NamespaceRuntime rt = new NamespaceRuntime(dataDir, net, image.root());
            BoxLaunch box = new BoxLaunch(id, "nsbox", new BoxSpec(1, 256, 1, BoxSpec.DEFAULT_IMAGE), ip, 16, "10.77.0.1",
                    List.of(TestKeys.publicLine(key)));
            try {
                long t0 = System.nanoTime();
                rt.start(box);
                System.err.printf("ns box start to sshd banner: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(id).phase());

                Cmd.Result hn = BoxSsh.run(ns, key, ip, "hostname");
                assertEquals(0, hn.exit(), hn.stderr());
                assertEquals("nsbox", hn.stdout().strip());
                Cmd.Result sudo = BoxSsh.run(ns, key, ip, "sudo -n id -u");
                assertEquals("0", sudo.stdout().strip(), "passwordless sudo: " + sudo.stderr());
                assertEquals("sshd", BoxSsh.run(ns, key, ip, "cat /proc/1/comm").stdout().strip(), "own pid namespace");
                assertTrue(BoxSsh.run(ns, key, ip, "cat /etc/resolv.conf").stdout().contains("nameserver 10.77.0.1"));
                assertEquals(0, BoxSsh.run(ns, key, ip, "ping -c1 -W2 10.77.0.1 >/dev/null 2>&1 || "
                        + "python3 -c 'import socket;s=socket.socket();s.settimeout(2);s.connect_ex((\"10.77.0.1\",9));'").exit(),
                        "gateway reachable");

                // disk size is a hard limit: 1 GiB disk, write 1.5 GiB
                Cmd.Result dd = BoxSsh.run(ns, key, ip, "dd if=/dev/zero of=/home/boxd/big bs=1M count=1500 2>&1; rm -f /home/boxd/big");
                assertTrue(dd.stdout().contains("No space left"), "disk limit enforced: " + dd.stdout());

                assertEquals(256L << 20, rt.cgroups().memoryLimit(id), "memory cgroup limit");
                long pid1 = rt.initPid(id).orElseThrow();
                assertTrue(rt.cgroups().pids(id).contains(pid1), "box PID 1 in its cgroup");

                // keys change while it runs
                rt.updateKeys(id, List.of(TestKeys.publicLine(key2)));
                assertEquals("nsbox", BoxSsh.run(ns, key2, ip, "hostname").stdout().strip(), "new key works");
                assertNotEquals(0, BoxSsh.run(ns, key, ip, "true").exit(), "removed key refused");

                // a restart keeps the disk (host keys, files)
                BoxSsh.run(ns, key2, ip, "echo kept > /home/boxd/f").requireSuccess();
                rt.stop(id);
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(id).phase());
                rt.start(new BoxLaunch(id, "nsbox", box.spec(), ip, 16, "10.77.0.1", List.of(TestKeys.publicLine(key2))));
                assertEquals("kept", BoxSsh.run(ns, key2, ip, "cat /home/boxd/f").stdout().strip());
            } finally {
                rt.destroy(id);
            }
            assertEquals(RuntimeState.Phase.ABSENT, rt.inspect(id).phase());
            Path dir = dataDir.box(id);
            assertFalse(Files.exists(dir), "box dir removed");
            assertTrue(HostCommand.mountPointsUnder(dataDir.root()).isEmpty(), "no mounts left");
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(id), "no mount mentions the box");
            assertFalse(HostCommand.run("losetup", "-a").stdout().contains(id), "no loop device left");
            assertNotEquals(0, ns.exec("ip", "link", "show", BoxNetwork.vethName(id)).exit(), "veth removed");
            for (Path cg : rt.cgroups().dirs(id)) assertFalse(Files.exists(cg), "cgroup removed: " + cg);
            assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(id)),
                    "no process of the box left");
        }
    }
}
