package boxd.app.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CpioAndInitramfsTest {
    /** Reads a newc archive back: name -> {mode, rdevmajor, rdevminor, data}. */
    private static Map<String, Object[]> read(byte[] a) {
        Map<String, Object[]> out = new LinkedHashMap<>();
        int off = 0;
        while (true) {
            String magic = new String(a, off, 6, StandardCharsets.US_ASCII);
            assertEquals("070701", magic, "magic at offset " + off);
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(new String(a, off + 6 + i * 8, 8, StandardCharsets.US_ASCII), 16);
            }
            int nameSize = (int) f[11];
            String name = new String(a, off + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertEquals(0, a[off + 110 + nameSize - 1], "name is NUL-terminated");
            int dataOff = align(off + 110 + nameSize);
            int size = (int) f[6];
            if (name.equals("TRAILER!!!")) {
                assertEquals(0, a.length % 4);
                return out;
            }
            byte[] data = java.util.Arrays.copyOfRange(a, dataOff, dataOff + size);
            out.put(name, new Object[] {(int) f[1], (int) f[9], (int) f[10], data});
            off = align(dataOff + size);
        }
    }

    private static int align(int x) {
        return (x + 3) & ~3;
    }

    @Test
    void newcArchiveRoundTrips() {
        byte[] a = new Cpio().dir("/d", 0755).file("/d/f", 0644, "hello".getBytes(StandardCharsets.UTF_8))
                .symlink("/l", "d/f").charDevice("/dev/console", 0600, 5, 1).finish();
        Map<String, Object[]> m = read(a);
        assertEquals(List.of("d", "d/f", "l", "dev/console"), new ArrayList<>(m.keySet()));
        assertEquals(0040755, m.get("d")[0]);
        assertEquals(0100644, m.get("d/f")[0]);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), (byte[]) m.get("d/f")[3]);
        assertEquals(0120777, m.get("l")[0]);
        assertEquals("d/f", new String((byte[]) m.get("l")[3], StandardCharsets.UTF_8));
        assertEquals(0020600, m.get("dev/console")[0]);
        assertEquals(5, m.get("dev/console")[1]);
        assertEquals(1, m.get("dev/console")[2]);
    }

    @Test
    void initramfsHasInitConsoleAndBusyboxAndIsTheSameEveryTime() {
        byte[] fakeBusybox = "not really busybox".getBytes(StandardCharsets.UTF_8);
        byte[] a = TestInitramfs.archive(fakeBusybox);
        assertArrayEquals(a, TestInitramfs.archive(fakeBusybox), "reproducible bytes keep the cache key meaningful");
        Map<String, Object[]> m = read(a);
        String init = new String((byte[]) m.get("init")[3], StandardCharsets.UTF_8);
        assertTrue(init.startsWith("#!/bin/sh\n"));
        assertTrue(init.contains(TestInitramfs.MARKER));
        assertTrue(init.contains("poweroff -f"));
        assertEquals(0100755, m.get("init")[0]);
        assertEquals(5, m.get("dev/console")[1]);
        assertArrayEquals(fakeBusybox, (byte[]) m.get("bin/busybox")[3]);
        assertEquals("busybox", new String((byte[]) m.get("bin/sh")[3], StandardCharsets.UTF_8));
    }

    @Test
    void staticElfDetection() {
        byte[] elf = new byte[64 + 2 * 56];
        elf[0] = 0x7f; elf[1] = 'E'; elf[2] = 'L'; elf[3] = 'F'; elf[4] = 2;
        elf[0x20] = 64;            // e_phoff
        elf[0x36] = 56;            // e_phentsize
        elf[0x38] = 2;             // e_phnum
        elf[64] = 1;               // PT_LOAD
        elf[64 + 56] = 1;          // PT_LOAD
        assertTrue(TestInitramfs.isStaticElf(elf));
        elf[64 + 56] = 3;          // PT_INTERP: dynamically linked
        assertFalse(TestInitramfs.isStaticElf(elf));
        assertFalse(TestInitramfs.isStaticElf("#!/bin/sh".getBytes(StandardCharsets.UTF_8)));
    }
}
