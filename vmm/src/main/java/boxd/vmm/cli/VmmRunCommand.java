package boxd.vmm.cli;

import boxd.vmm.Vm;
import boxd.vmm.VmExit;
import boxd.vmm.VmmBuilder;
import boxd.vmm.config.BlockConfig;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.ConsoleConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.NetConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.config.VsockConfig;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.vmm.kvm.KvmException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code boxd vmm run}: boots one VM in the foreground and returns when it ends. Prints the time from start to the
 * kernel's {@code Run /init as init process} line and to the boot-time marker when they happen. {@code --disk D} is a
 * raw image; {@code --disk D,base=B} a copy-on-write disk whose writes go to the overlay D (and {@code D.data}) while
 * B stays untouched, made on first use with B's size ({@link CowBlockBackend}).
 */
public final class VmmRunCommand {
    public static final String USAGE = "usage: boxd vmm run --kernel K [--initrd I] [--disk D[,ro][,base=B]]... [--tap T] [--vsock CID]"
            + " [--mem 256M] [--vcpus N] [--cmdline \"...\"] [--console] [--timeout SECONDS]";
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=1 pci=off nomodule i8042.noaux i8042.nomux i8042.dumbkbd";
    static final String INIT_LINE = "Run /init as init process";

    private VmmRunCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.in);
    }

    static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        Path kernel = null, initrd = null;
        List<BlockConfig> disks = new ArrayList<>();
        String tap = null, cmdline = DEFAULT_CMDLINE, mem = "256M";
        Long cid = null;
        int vcpus = 1;
        boolean console = false;
        long timeoutSeconds = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--kernel" -> kernel = Path.of(value(args, ++i, a));
                    case "--initrd" -> initrd = Path.of(value(args, ++i, a));
                    case "--disk" -> disks.add(BlockConfig.parse(value(args, ++i, a), disks.size()));
                    case "--tap" -> tap = value(args, ++i, a);
                    case "--vsock" -> cid = Long.parseLong(value(args, ++i, a));
                    case "--mem" -> mem = value(args, ++i, a);
                    case "--vcpus" -> vcpus = Integer.parseInt(value(args, ++i, a));
                    case "--cmdline" -> cmdline = value(args, ++i, a);
                    case "--console" -> console = true;
                    case "--timeout" -> timeoutSeconds = Long.parseLong(value(args, ++i, a));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (kernel == null) throw new IllegalArgumentException("--kernel is required");
            if (!Files.isReadable(kernel)) throw new IllegalArgumentException("cannot read kernel " + kernel);
            if (initrd != null && !Files.isReadable(initrd)) throw new IllegalArgumentException("cannot read initrd " + initrd);
            for (BlockConfig d : disks) {
                if (d.copyOnWrite()) {
                    if (!Files.isReadable(d.base())) throw new IllegalArgumentException("cannot read base image " + d.base());
                    if (!Files.exists(d.path()) && !d.readOnly()) {
                        CowBlockBackend.create(d.path(), d.base(), Files.size(d.base())).close();
                        err.println("boxd vmm: made copy-on-write disk " + d.path() + " over " + d.base());
                    }
                }
                if (!Files.isReadable(d.path())) throw new IllegalArgumentException("cannot read disk image " + d.path());
            }
            VmConfig config = VmConfig.of("vmm-run", new MachineConfig(vcpus, MachineConfig.parseSize(mem), false),
                            new BootConfig(kernel, initrd, cmdline))
                    .withDisks(disks)
                    .withNet(tap == null ? null : new NetConfig(tap, "02:b0:0d:00:00:01"))
                    .withVsock(cid == null ? null : new VsockConfig(cid))
                    .withConsole(new ConsoleConfig(console ? (OutputStream) out : OutputStream.nullOutputStream(), null));
            return boot(config, console ? in : null, out, err, timeoutSeconds);
        } catch (IllegalArgumentException e) {
            err.println("boxd vmm run: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (KvmException e) {
            err.println("boxd vmm run: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("boxd vmm run: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static String value(String[] args, int i, String opt) {
        if (i >= args.length) throw new IllegalArgumentException(opt + " needs a value");
        return args[i];
    }

    private static int boot(VmConfig config, InputStream in, PrintStream out, PrintStream err, long timeoutSeconds)
            throws IOException, InterruptedException {
        try (Vm vm = new VmmBuilder(config).build()) {
            err.printf("boxd vmm: KVM is %s%s; command line: %s%n", vm.kvmKind().label(),
                    vm.pvmWorkarounds() ? " (PVM workarounds on: ordinary guests are emulated, expect minutes)" : "", vm.cmdline());
            vm.onConsoleLine(line -> {
                if (line.contains(INIT_LINE)) {
                    err.printf("boxd vmm: reached '%s' after %.3f s%n", INIT_LINE, (System.nanoTime() - vm.startNanos()) / 1e9);
                }
            });
            vm.onBootMarker(nanos -> err.printf("boxd vmm: guest boot time (boot-time marker) %.3f ms%n", nanos / 1e6));
            if (in != null) {
                Thread.ofPlatform().daemon(true).name("vmm-console-in").start(() -> {
                    byte[] buf = new byte[256];
                    try {
                        int n;
                        while ((n = in.read(buf)) > 0) vm.serial().enqueue(java.util.Arrays.copyOf(buf, n));
                    } catch (IOException ignored) {
                        // console input closed
                    }
                });
            }
            vm.start();
            Optional<VmExit> exit = vm.awaitExit(timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : Duration.ofDays(3650));
            if (exit.isEmpty()) {
                vm.stop();
                err.println("boxd vmm: timed out after " + timeoutSeconds + " s; stopped the VM");
                return 124;
            }
            err.printf("boxd vmm: VM exited: %s (%s) after %.3f s%n", exit.get().reason(), exit.get().detail(),
                    (System.nanoTime() - vm.startNanos()) / 1e9);
            return exit.get().exitCode();
        }
    }
}
