package boxd.worker.vm;

import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.vmm.kvm.KvmKind;
import boxd.worker.image.RootfsImage;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.BoxLaunch;
import boxd.worker.runtime.RuntimeState;
import boxd.worker.testing.BoxSsh;
import boxd.worker.testing.TestImages;
import boxd.worker.testing.TestKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The vm runtime on the real /dev/kvm, inside a network namespace made by the test (bridge and taps live there).
 * The plumbing (disks, tap on the bridge, console log, stop, failure of one VM, destroy) is checked with a stand-in
 * guest on any KVM; a box answering ssh needs hardware KVM and the built guest kernel.
 */
class VmRuntimeIT {
    private static final String GW = "10.77.0.1";

    @TempDir
    Path tmp;

    private static BoxLaunch box(String id, String name, String ip, int diskGb, List<String> keys) {
        return new BoxLaunch(id, name, new BoxSpec(1, 128, diskGb, BoxSpec.DEFAULT_IMAGE), ip, 16, GW, keys);
    }

    private static String consoleOf(DataDir d, String id) throws Exception {
        Path p = new VmBoxFiles(d.box(id)).console();
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static void awaitConsole(DataDir d, String id, String text, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (consoleOf(d, id).contains(text)) return;
            Thread.sleep(50);
        }
        fail("'" + text + "' not on the console of " + id + " within " + limit.toSeconds() + " s:\n" + consoleOf(d, id));
    }

    private static boolean tapIn(TestNetns ns, String tap) {
        return ns.exec("ip", "link", "show", "dev", tap).exit() == 0;
    }

    @Test
    void tapMovesOntoTheBridgeInItsNamespace() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ip", "iproute2");
        DataDir data = new DataDir(tmp.resolve("data")).create();
        String id = "b-00000000d001";
        String tap = VmBoxFiles.tapName(id);
        try (TestNetns ns = TestNetns.create("bxw-vmt")) {
            BoxNetwork net = new BoxNetwork("boxd0", GW, 16, ns.name(), false);
            net.ensureBridge();
            VmRuntime rt = new VmRuntime(data, net, tmp.resolve("no-kernel"), tmp.resolve("no-image"));
            try (boxd.vmm.devices.virtio.net.Tap t = new boxd.vmm.devices.virtio.net.Tap(tap)) {  // what the VMM opens
                rt.attachTap(tap, box(id, "taps", "10.77.0.2", 1, List.of()));
                String link = ns.exec("ip", "-o", "link", "show", "dev", tap).stdout();
                assertTrue(link.contains("master boxd0") && link.contains(",UP"), link);
                assertNotEquals(0, Cmd.run("ip", "link", "show", "dev", tap).exit(), "moved out of the host namespace");
            } finally {
                rt.close();
            }
            Thread.sleep(100);
            assertFalse(tapIn(ns, tap), "a tap goes away with the VMM's fd");
        }
    }

    @Test
    void aBootThatFailsLeavesTheBoxStoppedAndNothingRunning() throws Exception {
        Host.requireRoot();
        Host.requireCommand("debugfs", "e2fsprogs");
        RootfsImage.Built image = TestImages.rootfs();
        DataDir data = new DataDir(tmp.resolve("data")).create();
        Path notAKernel = tmp.resolve("vmlinux");
        Files.writeString(notAKernel, "this is not a kernel\n");
        String id = "b-00000000e001";
        try (TestNetns ns = TestNetns.create("bxw-vmf")) {
            VmRuntime rt = new VmRuntime(data, new BoxNetwork("boxd0", GW, 16, ns.name(), false), notAKernel, image.ext4(),
                    Duration.ofSeconds(3));
            BoxLaunch b = box(id, "broken", "10.77.0.2", 2, List.of());
            try {
                BoxdException e = assertThrows(BoxdException.class, () -> rt.start(b));
                assertTrue(e.getMessage().contains("cannot boot box broken on the VMM"), e.getMessage());
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(id).phase(), "created, not running");
                assertFalse(tapIn(ns, VmBoxFiles.tapName(id)));
                assertNotEquals(0, Cmd.run("ip", "link", "show", "dev", VmBoxFiles.tapName(id)).exit());
                assertFalse(rt.adopt(b), "nothing to adopt");
                assertThrows(BoxdException.class, () -> rt.start(b), "fails again the same way: the runtime is still usable");
            } finally {
                rt.destroy(id);
                rt.close();
            }
            assertEquals(RuntimeState.Phase.ABSENT, rt.inspect(id).phase());
            assertFalse(Files.exists(data.box(id)));
        }
    }

    @Test
    void plumbingWithAStandInGuestLeavesNothingBehind() throws Exception {
        Host.requireRoot();
        Host.requireKvm();
        Host.requireCommand("debugfs", "e2fsprogs");
        Path standIn = TestKernels.standIn(tmp.resolve("k"));
        RootfsImage.Built image = TestImages.rootfs();
        DataDir data = new DataDir(tmp.resolve("data")).create();
        String id = "b-00000000a001", crashId = "b-00000000a002";
        String tap = VmBoxFiles.tapName(id);
        try (TestNetns ns = TestNetns.create("bxw-vm")) {
            BoxNetwork net = new BoxNetwork("boxd0", GW, 16, ns.name(), false);
            VmRuntime rt = new VmRuntime(data, net, standIn, image.ext4(), Duration.ofSeconds(3));
            BoxLaunch b = box(id, "plumb", "10.77.0.2", 2, List.of("ssh-ed25519 AAAAkey owner"));
            try {
                rt.bootVm(b);
                awaitConsole(data, id, TestKernels.STANDIN_MARKER, Duration.ofSeconds(30));
                String console = consoleOf(data, id);
                assertTrue(console.contains("ip=10.77.0.2::10.77.0.1:255.255.0.0:plumb:eth0:off"), console);
                assertTrue(console.contains("root=/dev/vda rw") && console.contains("virtio_mmio.device="), console);
                assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(id).phase());
                VmBoxFiles files = new VmBoxFiles(data.box(id));
                assertEquals(2L << 30, CowBlockBackend.readHeader(files.rootOverlay()).virtualSize(), "root disk = box disk size");
                assertEquals(VmBaseDisks.in(data).pathFor(image.ext4(), 2), VmDisks.rootDiskConfig(files).base(),
                        "a copy-on-write overlay over the shared base for its size");
                assertTrue(Files.exists(new VmBoxFiles(data.box(id)).configDisk()));
                String link = ns.exec("ip", "-o", "link", "show", "dev", tap).stdout();
                assertTrue(link.contains("master boxd0") && link.contains("UP"), "tap on the bridge in the box netns: " + link);
                assertNotEquals(0, Cmd.run("ip", "link", "show", "dev", tap).exit(), "no tap in the host namespace");
                assertEquals(List.of(id), rt.list());

                // one VM failing ends only that VM
                rt.bootVm(box(crashId, "crash", "10.77.0.3", 2, List.of()));
                awaitConsole(data, crashId, "stand-in: resetting", Duration.ofSeconds(30));
                long end = System.nanoTime() + 10_000_000_000L;
                while (rt.inspect(crashId).phase() == RuntimeState.Phase.RUNNING && System.nanoTime() < end) Thread.sleep(20);
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(crashId).phase(), "the reset VM ended");
                awaitConsole(data, crashId, "--- vm ended: REBOOT", Duration.ofSeconds(5));
                assertFalse(tapIn(ns, VmBoxFiles.tapName(crashId)), "its tap went with it");
                assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(id).phase(), "the other VM runs on");

                // no sshd in the stand-in: adopt restarts (returns false and leaves it stopped)
                assertFalse(rt.adopt(b));
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(id).phase());
                assertFalse(tapIn(ns, tap), "tap removed on stop");

                // start reports RUNNING only once sshd answers: here it never does, and nothing is left running
                BoxdException e = assertThrows(BoxdException.class, () -> rt.start(b));
                assertTrue(e.getMessage().contains("did not answer on 10.77.0.2:22"), e.getMessage());
                assertTrue(e.getMessage().contains(TestKernels.STANDIN_MARKER), "console tail in the error: " + e.getMessage());
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(id).phase());
                assertFalse(tapIn(ns, tap));
            } finally {
                rt.destroy(id);
                rt.destroy(crashId);
                rt.close();
            }
            assertEquals(RuntimeState.Phase.ABSENT, rt.inspect(id).phase());
            assertFalse(Files.exists(data.box(id)), "box dir removed");
            assertFalse(Files.exists(data.box(crashId)));
            assertFalse(tapIn(ns, tap));
            Thread.sleep(200);
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("vcpu-box-")),
                    "no vCPU thread left");
        }
    }

    @Test
    void boxAnswersSshOnHardwareKvm() throws Exception {
        Host.requireRoot();
        Host.requireKvm();
        assumeTrue(KvmKind.detect() == KvmKind.HARDWARE, "skipped: /dev/kvm here is " + KvmKind.detect().label()
                + ", not hardware virtualization: a Linux guest is run by KVM's instruction emulator and its userspace"
                + " cannot run under PVM emulation (no sshd ever answers); VmRuntimeSlowIT boots the box's kernel here instead");
        Host.requireCommand("ssh", "openssh-client");
        Optional<Path> kernel = TestKernels.guestKernel();
        assumeTrue(kernel.isPresent(), TestKernels.missingMessage());
        RootfsImage.Built image = TestImages.rootfs();
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "owner");
        DataDir data = new DataDir(tmp.resolve("data")).create();
        String id = "b-00000000b001", ip = "10.77.0.2";
        try (TestNetns ns = TestNetns.create("bxw-vmk")) {
            VmRuntime rt = new VmRuntime(data, new BoxNetwork("boxd0", GW, 16, ns.name(), false), kernel.get(), image.ext4(),
                    Duration.ofSeconds(60));
            BoxLaunch b = new BoxLaunch(id, "vmbox", new BoxSpec(2, 512, 2, BoxSpec.DEFAULT_IMAGE), ip, 16, GW,
                    List.of(TestKeys.publicLine(key)));
            try {
                long t0 = System.nanoTime();
                rt.start(b);
                System.err.printf("vm box start to sshd banner: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(id).phase());
                assertEquals("vmbox", BoxSsh.run(ns, key, ip, "hostname").stdout().strip());
                assertEquals("0", BoxSsh.run(ns, key, ip, "sudo -n id -u").stdout().strip(), "passwordless sudo");
                assertEquals("2", BoxSsh.run(ns, key, ip, "nproc").stdout().strip(), "vCPUs from the spec");
                assertTrue(BoxSsh.run(ns, key, ip, "cat /etc/resolv.conf").stdout().contains("nameserver " + GW));
                long rootKb = Long.parseLong(BoxSsh.run(ns, key, ip, "df -k --output=size / | tail -1").stdout().strip());
                assertTrue(rootKb > 1_800_000 && rootKb <= 2_097_152, "root file system grown to the 2 GiB disk: " + rootKb);
                assertTrue(BoxSsh.run(ns, key, ip, "uname -r").stdout().startsWith("6."), "the guest kernel runs");
                Path key2 = TestKeys.ed25519(tmp.resolve("keys"), "later");
                rt.updateKeys(id, List.of(TestKeys.publicLine(key), TestKeys.publicLine(key2)));
                boolean newKey = false;
                for (int i = 0; i < 40 && !newKey; i++) {
                    newKey = BoxSsh.run(ns, key2, ip, "true").exit() == 0;
                    if (!newKey) Thread.sleep(250);
                }
                assertTrue(newKey, "a key added while the box runs works within 10 s");
                BoxSsh.run(ns, key, ip, "echo kept > /home/boxd/f; sync").requireSuccess();
                rt.stop(id);
                assertEquals(RuntimeState.Phase.STOPPED, rt.inspect(id).phase());
                rt.start(b);
                assertEquals("kept", BoxSsh.run(ns, key, ip, "cat /home/boxd/f").stdout().strip(), "disk kept across restart");
                assertTrue(Files.readString(new VmBoxFiles(data.box(id)).console()).contains("boxd-init: starting sshd"));
            } finally {
                rt.destroy(id);
                rt.close();
            }
            assertEquals(RuntimeState.Phase.ABSENT, rt.inspect(id).phase());
            assertFalse(Files.exists(data.box(id)));
            assertFalse(tapIn(ns, VmBoxFiles.tapName(id)));
        }
    }
}
