package boxd.vmm.cli;

import boxd.vmm.devices.virtio.block.CowBlockBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class VmmDiskCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return VmmDiskCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void infoAndFlattenShowTheDiskWithoutChangingIt() throws Exception {
        byte[] baseBytes = new byte[64 * 1024];
        new Random(5).nextBytes(baseBytes);
        Path base = Files.write(dir.resolve("base.raw"), baseBytes);
        Path ov = dir.resolve("root.cow");
        byte[] want = Arrays.copyOf(baseBytes, 128 * 1024);
        try (CowBlockBackend d = CowBlockBackend.create(ov, base, want.length)) {
            byte[] w = "written by the box".getBytes(StandardCharsets.UTF_8);
            d.write(70_000, ByteBuffer.wrap(w));
            System.arraycopy(w, 0, want, 70_000, w.length);
        }
        byte[] mapBefore = Files.readAllBytes(ov);

        assertEquals(0, run("info", ov.toString()), err.toString());
        String info = out.toString();
        assertTrue(info.contains("base:      " + base.toAbsolutePath()), info);
        assertTrue(info.contains("size:      131072 bytes"), info);
        assertTrue(info.contains("1 of 32 written by this disk"), info);

        Path raw = dir.resolve("flat.raw");
        assertEquals(0, run("flatten", ov.toString(), raw.toString()), err.toString());
        assertArrayEquals(want, Files.readAllBytes(raw));
        assertArrayEquals(mapBefore, Files.readAllBytes(ov), "reading the disk changes nothing");

        assertEquals(1, run("flatten", ov.toString(), raw.toString()), "an existing target is not overwritten");
        assertTrue(err.toString().contains("exists"), err.toString());
    }

    @Test
    void badArgumentsAndNonDisksAreRefusedWithWhatToDo() throws Exception {
        assertEquals(2, run());
        assertEquals(2, run("info"));
        assertEquals(2, run("shrink", "x"));
        assertTrue(err.toString().contains("info or flatten"), err.toString());
        Path notADisk = Files.writeString(dir.resolve("plain.raw"), "just bytes");
        assertEquals(1, run("info", notADisk.toString()));
        assertTrue(err.toString().contains("not a boxd copy-on-write disk"), err.toString());
        assertEquals(1, run("info", dir.resolve("missing.cow").toString()));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("flatten"));
    }
}
