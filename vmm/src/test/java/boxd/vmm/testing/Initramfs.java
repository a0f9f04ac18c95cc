package boxd.vmm.testing;

import boxd.common.testing.Cmd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A test initramfs (newc cpio) built at test time: /dev/console, /dev/mem and a static C /init that prints
 * {@link #MARKER}, writes the boot-time marker byte 123 to 0xC0000000 through /dev/mem, and powers off.
 */
public final class Initramfs {
    private Initramfs() {}

    public static final String MARKER = "BOXD-INIT-MARKER";

    private static final String INIT = """
            #include <fcntl.h>
            #include <sys/mman.h>
            #include <sys/reboot.h>
            #include <unistd.h>
            int main(void) {
                int fd = open("/dev/mem", O_RDWR | O_SYNC);
                if (fd >= 0) {
                    volatile unsigned char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0xC0000000UL);
                    if (p != MAP_FAILED) p[0] = 123;
                }
                write(1, "%s\\n", %d);
                sync();
                reboot(RB_POWER_OFF);
                for (;;) pause();
            }
            """.formatted(MARKER, MARKER.length() + 1);

    public static Path build(Path dir) throws IOException {
        Path src = dir.resolve("init.c");
        Path bin = dir.resolve("init");
        Files.writeString(src, INIT);
        Cmd.run(List.of("gcc", "-static", "-O2", "-o", bin.toString(), src.toString()), null, 120, dir).requireSuccess();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ino = 1;
        entry(out, ino++, "dev", 040755, 0, 0, new byte[0]);
        entry(out, ino++, "dev/console", 020600, 5, 1, new byte[0]);
        entry(out, ino++, "dev/mem", 020600, 1, 1, new byte[0]);
        entry(out, ino++, "init", 0100755, 0, 0, Files.readAllBytes(bin));
        entry(out, ino, "TRAILER!!!", 0, 0, 0, new byte[0]);
        Path cpio = dir.resolve("initramfs.cpio");
        Files.write(cpio, out.toByteArray());
        return cpio;
    }

    private static void entry(ByteArrayOutputStream out, int ino, String name, int mode, int rmaj, int rmin, byte[] data) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        String h = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
                ino, mode, 0, 0, 1, 0, data.length, 0, 0, rmaj, rmin, n.length, 0);
        out.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(n);
        pad(out);
        out.writeBytes(data);
        pad(out);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) out.write(0);
    }
}
