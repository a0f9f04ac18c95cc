package boxd.app.image;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The VMM's boot-test initramfs: a static busybox and an /init that prints {@link #MARKER} and powers the machine
 * off. Uncompressed newc cpio, so the guest kernel needs no decompressor. Cached under
 * {@code images/initramfs/<input hash>/initramfs.cpio}.
 */
public final class TestInitramfs {
    /** The line /init prints once userspace runs; boot tests wait for it on the serial console. */
    public static final String MARKER = "boxd-initramfs: init reached";
    static final String RECIPE = "1";
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final String INIT = """
            #!/bin/sh
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sysfs /sys
            echo "%s"
            /bin/busybox poweroff -f
            """.formatted(MARKER);

    private TestInitramfs() {}

    /** {@return the archive bytes for this busybox binary} */
    public static byte[] archive(byte[] busybox) {
        return new Cpio()
                .dir("/bin", 0755).dir("/sbin", 0755).dir("/dev", 0755).dir("/proc", 0555).dir("/sys", 0555)
                // the kernel opens /dev/console for init's stdio before any devtmpfs exists
                .charDevice("/dev/console", 0600, 5, 1)
                .charDevice("/dev/null", 0666, 1, 3)
                .file("/bin/busybox", 0755, busybox)
                .symlink("/bin/sh", "busybox")
                .symlink("/sbin/poweroff", "../bin/busybox")
                .file("/init", 0755, INIT.getBytes(StandardCharsets.UTF_8))
                .finish();
    }

    /** Builds (or finds in the cache) the initramfs; {@return the path of initramfs.cpio} */
    public static Path build(ImageStore store, PrintStream out) throws IOException {
        Progress progress = new Progress(out, "initramfs");
        String missing = HostTools.missingMessage("test initramfs", HostTools.missingPackages(
                List.of(new HostTools.Need(BUSYBOX.toString(), "busybox-static"))));
        if (!missing.isEmpty()) throw new ImageException(missing);
        byte[] busybox = Files.readAllBytes(BUSYBOX);
        if (!isStaticElf(busybox)) {
            throw new ImageException("cannot build the test initramfs: " + BUSYBOX + " is dynamically linked"
                    + " (install busybox-static, which replaces the busybox package: apt-get install busybox-static)");
        }
        String key = new InputHash("initramfs").add("recipe", RECIPE).add("init", INIT).add("busybox", busybox).key();
        Path dir = store.entry("initramfs", key);
        Path cpio = dir.resolve("initramfs.cpio");
        if (store.isComplete(dir)) {
            progress.phase("cached: " + cpio);
            store.markCurrent("initramfs", key);
            return cpio;
        }
        progress.phase("packing busybox " + (busybox.length / 1024) + " KiB and /init into a newc cpio");
        Path tmp = store.begin("initramfs", key);
        Files.write(tmp.resolve("initramfs.cpio"), archive(busybox));
        store.commit("initramfs", key, tmp, java.util.Map.of("marker", MARKER, "busybox", BUSYBOX.toString()));
        store.markCurrent("initramfs", key);
        progress.phase("done: " + cpio);
        return cpio;
    }

    /** {@return whether the ELF has no PT_INTERP program header, i.e. needs no dynamic loader} */
    static boolean isStaticElf(byte[] elf) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2) return false;
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            long off = phoff + (long) i * phentsize;
            if (off + 4 > elf.length) return false;
            if (b.getInt((int) off) == 3) return false; // PT_INTERP
        }
        return true;
    }
}
