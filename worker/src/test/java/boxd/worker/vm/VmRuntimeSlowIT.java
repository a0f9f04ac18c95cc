package boxd.worker.vm;

import boxd.common.BoxSpec;
import boxd.common.DataDir;
import boxd.common.testing.Host;
import boxd.common.testing.TestNetns;
import boxd.vmm.Vm;
import boxd.vmm.kvm.KvmKind;
import boxd.worker.image.RootfsImage;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.BoxLaunch;
import boxd.worker.runtime.RuntimeState;
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
 * Slow tier: a vm box boots the project's guest kernel on the boxd VMM with its own root disk, config disk and tap.
 * Under PVM (every guest instruction emulated, minutes) the kernel must print its banner, find the virtio root disk and
 * reach "Run /usr/local/sbin/boxd-init as init process" (userspace cannot run under that emulation); on hardware KVM
 * the guest init must also get to starting sshd.
 */
class VmRuntimeSlowIT {
    @TempDir
    Path tmp;

    @Test
    void boxKernelBootsToItsInitOnOurVmm() throws Exception {
        Host.requireRoot();
        Host.requireKvm();
        Optional<Path> kernel = TestKernels.guestKernel();
        assumeTrue(kernel.isPresent(), TestKernels.missingMessage());
        RootfsImage.Built image = TestImages.rootfs();
        boolean pvm = KvmKind.detect() != KvmKind.HARDWARE;
        DataDir data = new DataDir(tmp.resolve("data")).create();
        String id = "b-00000000c001";
        Duration limit = Duration.ofSeconds(pvm ? 540 : 60);
        try (TestNetns ns = TestNetns.create("bxw-vms")) {
            VmRuntime rt = new VmRuntime(data, new BoxNetwork("boxd0", "10.77.0.1", 16, ns.name(), false), kernel.get(),
                    image.ext4());
            // 64 MiB under emulation: memory setup is instructions too
            BoxLaunch b = new BoxLaunch(id, "slowbox", new BoxSpec(1, pvm ? 64 : 256, 2, BoxSpec.DEFAULT_IMAGE), "10.77.0.2", 16,
                    "10.77.0.1", List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6/slow slow@test"));
            Path console = new VmBoxFiles(data.box(id)).console();
            List<String> want = pvm
                    ? List.of("Linux version", "Run " + VmBoxFiles.GUEST_INIT + " as init process")
                    : List.of("Linux version", "Run " + VmBoxFiles.GUEST_INIT + " as init process", "boxd-init: starting sshd");
            long t0 = System.nanoTime();
            try {
                Vm vm = rt.bootVm(b);
                String log = "";
                long end = System.nanoTime() + limit.toNanos();
                while (System.nanoTime() < end && vm.exit().isEmpty()) {
                    log = Files.readString(console);
                    String l = log;
                    if (want.stream().allMatch(l::contains)) break;
                    Thread.sleep(500);
                }
                log = Files.readString(console);
                double secs = (System.nanoTime() - t0) / 1e9;
                String tail = log.substring(Math.max(0, log.length() - 4000));
                for (String w : want)
                    assertTrue(log.contains(w), "'" + w + "' not on the box console after " + secs + " s (kvm "
                            + KvmKind.detect().label() + ", VM exit " + vm.exit().orElse(null) + "); tail:\n" + tail);
                assertTrue(log.contains("virtio_mmio.device=") && log.contains("root=/dev/vda"), "the box's command line");
                System.err.printf("[vm runtime, kvm %s] box kernel reached its init after %.1f s%n", KvmKind.detect().label(), secs);
                assertEquals(RuntimeState.Phase.RUNNING, rt.inspect(id).phase());
            } finally {
                rt.destroy(id);
                rt.close();
            }
            assertFalse(Files.exists(data.box(id)), "box dir removed");
            assertNotEquals(0, ns.exec("ip", "link", "show", "dev", VmBoxFiles.tapName(id)).exit(), "tap removed");
        }
    }
}
