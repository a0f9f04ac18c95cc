package boxd.worker.testing;

import boxd.common.DataDir;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Guest kernels for vm runtime tests: the project's real one when built, and a tiny stand-in compiled at test time. */
public final class TestKernels {
    private TestKernels() {}

    /**
     * {@return the guest kernel 'boxd image build kernel' made: $BOXD_KERNEL, else {@code kernel/current/vmlinux} (or
     * bzImage) in the test images dir, else in the default data dir's images}
     */
    public static Optional<Path> guestKernel() {
        String env = System.getenv("BOXD_KERNEL");
        if (env != null && !env.isBlank() && Files.isReadable(Path.of(env))) return Optional.of(Path.of(env));
        for (Path images : List.of(TestImages.dir(), new DataDir(DataDir.defaultRoot()).images())) {
            for (String n : List.of("vmlinux", "bzImage")) {
                Path k = images.resolve("kernel").resolve("current").resolve(n);
                if (Files.isReadable(k)) return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    public static String missingMessage() {
        return "skipped: no guest kernel built (set BOXD_KERNEL, or run 'boxd image build kernel' with --data "
                + TestImages.dir().getParent() + " or the default data dir; it lands in images/kernel/current/vmlinux)";
    }

    /** Printed first on the serial console by the stand-in guest, followed by its command line. */
    public static final String STANDIN_MARKER = "boxd stand-in guest, cmdline: ";

    /**
     * A stand-in for a kernel, for testing the runtime's plumbing without booting Linux: a freestanding 64-bit ELF
     * linked at 1 MiB that prints {@link #STANDIN_MARKER} and the command line it was given (read through the zero
     * page at 0x7000, cmd_line_ptr at 0x228) on the 8250, then spins until the host stops it; when the command line
     * holds ":crash:" (a box named "crash": ip=...:crash:eth0...) it resets the machine through the i8042 instead.
     */
    public static Path standIn(Path dir) {
        Host.requireCommand("gcc", "gcc");
        String c = """
                typedef unsigned long u64; typedef unsigned int u32;
                static inline void outb(unsigned short port, unsigned char v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(port)); }
                static void say(const char *s) { while (*s) outb(0x3f8, (unsigned char) *s++); }
                static int contains(const char *h, const char *n) {
                    for (; *h; h++) { const char *a = h, *b = n; while (*b && *a == *b) { a++; b++; } if (!*b) return 1; }
                    return 0;
                }
                __attribute__((section(".text.start"))) void _start(void) {
                    const char *cmd = (const char *) (u64) *(volatile u32 *) (0x7000 + 0x228);
                    say("MARKER"); say(cmd); say("\\n");
                    if (contains(cmd, ":crash:")) { say("stand-in: resetting\\n"); outb(0x64, 0xFE); }
                    for (;;) __asm__ volatile("pause");
                }
                """.replace("MARKER", STANDIN_MARKER);
        try {
            Files.createDirectories(dir);
            Path src = dir.resolve("standin.c");
            Path elf = dir.resolve("standin.elf");
            Files.writeString(src, c);
            Cmd.run(List.of("gcc", "-m64", "-O1", "-ffreestanding", "-fno-pic", "-fno-pie", "-no-pie", "-nostdlib", "-static",
                    "-mno-red-zone", "-mgeneral-regs-only", "-fno-stack-protector", "-fcf-protection=none",
                    "-fno-asynchronous-unwind-tables", "-Wl,-Ttext-segment=0x100000", "-Wl,-e,_start", "-Wl,--build-id=none",
                    "-Wl,-z,noexecstack", "-o", elf.toString(), src.toString()), null, 120, dir).requireSuccess();
            return elf;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
