package boxd.vmm.cli;

import boxd.vmm.config.BlockConfig;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class VmmRunCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VmmRunCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void usageErrorsExplainThemselves() {
        assertEquals(2, run("--mem", "256M"));
        assertTrue(err.toString().contains("--kernel is required"), err.toString());
        assertTrue(err.toString().contains("usage: boxd vmm run"));
        assertEquals(2, run("--kernel", "/nonexistent/vmlinux"));
        assertTrue(err.toString().contains("cannot read kernel"));
        assertEquals(2, run("--kernel", "/etc/hostname", "--mem", "lots"));
        assertTrue(err.toString().contains("not a size"));
        assertEquals(2, run("--bogus"));
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("--vcpus"));
    }

    @Test
    void diskSpecsNameRawOrCopyOnWriteDisks() {
        assertEquals(new BlockConfig(Path.of("a.img"), false, "boxd-disk0"), BlockConfig.parse("a.img", 0));
        assertEquals(new BlockConfig(Path.of("a.img"), true, "boxd-disk1"), BlockConfig.parse("a.img,ro", 1));
        assertEquals(new BlockConfig(Path.of("o.cow"), false, "boxd-disk0", Path.of("/i/base.img")),
                BlockConfig.parse("o.cow,base=/i/base.img", 0));
        assertEquals(new BlockConfig(Path.of("o.cow"), true, "boxd-disk2", Path.of("b")), BlockConfig.parse("o.cow,base=b,ro", 2));
        assertEquals(new BlockConfig(Path.of("o.cow"), true, "boxd-disk2", Path.of("b")), BlockConfig.parse("o.cow,ro,base=b", 2));
        assertEquals(Path.of("x,y.img"), BlockConfig.parse("x,y.img", 0).path(), "a comma inside a path is kept");
        assertFalse(BlockConfig.parse("a.img,ro", 0).copyOnWrite());
        assertThrows(IllegalArgumentException.class, () -> BlockConfig.parse(",ro", 0));
        assertTrue(VmmRunCommand.USAGE.contains("--disk D[,ro][,base=B]"));
    }

    @Test
    void aCopyOnWriteDiskIsMadeOverItsBaseOnFirstUse(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.img");
        byte[] content = new byte[64 * 1024];
        java.util.Arrays.fill(content, (byte) 9);
        Files.write(base, content);
        Path kernel = Files.writeString(dir.resolve("kernel"), "not a kernel");
        Path overlay = dir.resolve("disk.cow");

        assertEquals(2, run("--kernel", kernel.toString(), "--disk", overlay + ",base=" + dir.resolve("missing.img")));
        assertTrue(err.toString().contains("cannot read base image"), err.toString());
        assertFalse(Files.exists(overlay));

        // the boot itself fails (no KVM here, or a kernel that is not one), after the disk was made
        assertNotEquals(0, run("--kernel", kernel.toString(), "--disk", overlay + ",base=" + base));
        assertTrue(err.toString().contains("made copy-on-write disk " + overlay + " over " + base), err.toString());
        CowBlockBackend.Header h = CowBlockBackend.readHeader(overlay);
        assertEquals(base.toAbsolutePath(), h.base());
        assertEquals(content.length, h.virtualSize(), "the disk has the base's size");
        assertArrayEquals(content, Files.readAllBytes(base), "the base is untouched");
    }

    @Test
    void withoutKvmTheRunFailsWithAReasonAndReleasesEverything() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm")),
                "skipped: this host has /dev/kvm (SmallGuestIT covers real runs)");
        java.nio.file.Path k = java.nio.file.Files.createTempFile("kernel", ".elf");
        try {
            assertEquals(1, run("--kernel", k.toString(), "--mem", "64M"));
            assertTrue(err.toString().contains("/dev/kvm"), err.toString());
        } finally {
            java.nio.file.Files.delete(k);
        }
    }
}
