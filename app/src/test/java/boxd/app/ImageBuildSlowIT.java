package boxd.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;

/**
 * Slow tier: {@code boxd image build kernel initramfs} from scratch with the built jar (the kernel compile takes 6-30
 * minutes), then again: a cache hit in under 10 s. The rootfs half is covered by the worker's image tests.
 */
class ImageBuildSlowIT {
    @TempDir
    Path dir;

    @Test
    void theKernelAndInitramfsAreBuiltThenCached() throws Exception {
        Host.requireCommand("make", "make");
        Host.requireCommand("gcc", "gcc");
        Host.requireCommand("flex", "flex");
        Host.requireCommand("bison", "bison");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/usr/src/linux-source-6.1.tar.xz")),
                "skipped: linux-source-6.1 is not installed (apt-get install linux-source-6.1; ./run-tests installs it)");
        Path jar = Path.of(System.getProperty("boxd.jar", "target/boxd.jar")).toAbsolutePath();
        Path data = dir.resolve("data");

        Cmd.Result first = boxd(jar, 3600, "image", "build", "--data", data.toString(), "kernel", "initramfs");
        assertEquals(0, first.exit(), first.stdout() + first.stderr());
        assertTrue(first.stdout().contains("[kernel] compiling"), first.stdout());
        Path kernel = data.resolve("images/kernel/current");
        byte[] elf = Arrays.copyOf(Files.readAllBytes(kernel.resolve("vmlinux")), 4);
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, elf, "vmlinux is an ELF file");
        assertTrue(Files.size(kernel.resolve("bzImage")) > 500_000, "bzImage");
        String config = Files.readString(kernel.resolve("config"));
        assertTrue(config.contains("CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y") && config.contains("CONFIG_HZ_100=y"));
        assertTrue(Files.size(data.resolve("images/initramfs/current/initramfs.cpio")) > 100_000);

        long t0 = System.nanoTime();
        Cmd.Result second = boxd(jar, 60, "image", "build", "--data", data.toString(), "kernel", "initramfs");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, second.exit(), second.stderr());
        assertTrue(second.stdout().contains("[kernel] cached") && second.stdout().contains("[initramfs] cached"), second.stdout());
        assertTrue(ms < 10_000, "a cache hit takes " + ms + " ms");
    }

    private Cmd.Result boxd(Path jar, int timeoutSeconds, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, null, timeoutSeconds, dir);
    }
}
