package boxd.vmm;

import boxd.common.testing.Host;
import boxd.vmm.cli.VmmRunCommand;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.ConsoleConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.kvm.KvmKind;
import boxd.vmm.testing.GuestKernel;
import boxd.vmm.testing.Initramfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Boots the project's guest kernel with a test initramfs. Hardware KVM: /init must print its marker (seconds).
 * PVM (every instruction emulated, userspace cannot run): the kernel must reach "Run /init as init process"
 * (about 141 s of guest time measured by hand), with the CPUID/cmdline/INT3 workarounds on.
 */
class LinuxBootSlowIT {
    @Test
    void bootsTheGuestKernel(@TempDir Path dir) throws Exception {
        Host.requireKvm();
        Host.requireCommand("gcc", "gcc");
        Optional<Path> kernel = GuestKernel.find();
        assumeTrue(kernel.isPresent(), GuestKernel.missingMessage());
        Path initrd = Initramfs.build(dir);
        KvmKind kind = KvmKind.detect();
        boolean pvm = kind == KvmKind.PVM;
        String want = pvm ? "Run /init as init process" : Initramfs.MARKER;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        CountDownLatch reached = new CountDownLatch(1);
        VmConfig cfg = VmConfig.of("slow", new MachineConfig(1, (pvm ? 64L : 256L) << 20, false),
                        new BootConfig(kernel.get(), initrd, VmmRunCommand.DEFAULT_CMDLINE))
                .withConsole(new ConsoleConfig(log, null));
        long t0 = System.nanoTime();
        try (Vm vm = new VmmBuilder(cfg).build()) {
            vm.onConsoleLine(line -> { if (line.contains(want)) reached.countDown(); });
            vm.start();
            boolean ok = reached.await(pvm ? 420 : 60, TimeUnit.SECONDS);
            double secs = (System.nanoTime() - t0) / 1e9;
            String tail = log.toString();
            tail = tail.substring(Math.max(0, tail.length() - 3000));
            assertTrue(ok, "kernel did not print '" + want + "' (" + kind.label() + ", " + secs + " s, exit "
                    + vm.exit().orElse(null) + "); console tail:\n" + tail);
            System.out.printf("[%s] reached '%s' after %.1f s; boot marker %s%n", kind.label(), want, secs,
                    vm.bootNanos() >= 0 ? (vm.bootNanos() / 1e6) + " ms" : "not seen");
            if (!pvm) {
                Optional<VmExit> exit = vm.awaitExit(Duration.ofSeconds(30));
                assertTrue(exit.isPresent(), "the guest powered off after /init");
            }
        }
    }

    @Test
    void cliPrintsTheElapsedTimeAtRunInit(@TempDir Path dir) throws Exception {
        Host.requireKvm();
        Host.requireCommand("gcc", "gcc");
        Optional<Path> kernel = GuestKernel.find();
        assumeTrue(kernel.isPresent(), GuestKernel.missingMessage());
        assumeTrue(KvmKind.detect() == KvmKind.HARDWARE, "skipped: the CLI run is checked on hardware KVM (the PVM boot above takes minutes)");
        Path initrd = Initramfs.build(dir);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = VmmRunCommand.run(new String[] {"--kernel", kernel.get().toString(), "--initrd", initrd.toString(),
                "--mem", "256M", "--vcpus", "2", "--console", "--timeout", "60"}, new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true));
        assertEquals(0, rc, err.toString());
        assertTrue(err.toString().contains("reached 'Run /init as init process' after"), err.toString());
    }
}
