package boxd.vmm.arch.x86_64;

import boxd.vmm.memory.GuestMemory;
import boxd.vmm.memory.MemoryRegion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The zero page ({@code struct boot_params}) at {@link Layout#ZERO_PAGE}: setup header, command line, initrd, e820 map. */
public final class BootParams {
    private BootParams() {}

    // offsets in struct boot_params (the setup header's fields are also its offsets in a bzImage file); BootParamsAbiTest
    // checks each against <asm/bootparam.h>
    static final int E820_ENTRIES = 0x1E8, SETUP_HEADER = 0x1F1, SETUP_SECTS = 0x1F1, BOOT_FLAG = 0x1FE, JUMP = 0x200,
            HEADER = 0x202, VERSION = 0x206, TYPE_OF_LOADER = 0x210, LOADFLAGS = 0x211, RAMDISK_IMAGE = 0x218,
            RAMDISK_SIZE = 0x21C, CMD_LINE_PTR = 0x228, INITRD_ADDR_MAX = 0x22C, KERNEL_ALIGNMENT = 0x230,
            XLOADFLAGS = 0x236, CMDLINE_SIZE = 0x238, PREF_ADDRESS = 0x258, INIT_SIZE = 0x260, E820_TABLE = 0x2D0,
            SENTINEL = 0x1EF;
    static final int E820_ENTRY_SIZE = 20, E820_MAX_ENTRIES_ZEROPAGE = 128;
    public static final int E820_RAM = 1, E820_RESERVED = 2;
    /** x86's COMMAND_LINE_SIZE: the kernel copies this many bytes of the command line, NUL included, and drops the rest. */
    static final int COMMAND_LINE_SIZE = 2048;

    /** Writes the command line and the zero page. {@code initrdAddr}/{@code initrdSize} are 0 without an initrd. */
    public static void write(GuestMemory mem, LoadedKernel kernel, String cmdline, long initrdAddr, long initrdSize) {
        byte[] cl = cmdline.getBytes(StandardCharsets.US_ASCII);
        int max = maxCmdline(kernel);
        if (cl.length > max) {
            throw new IllegalArgumentException("kernel command line is " + cl.length + " bytes; the kernel takes at most " + max
                    + " and would cut the rest off silently: shorten it");
        }
        mem.write(Layout.CMDLINE, java.util.Arrays.copyOf(cl, cl.length + 1));

        ByteBuffer z = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        if (kernel.setupHeader() != null) {
            z.put(SETUP_HEADER, kernel.setupHeader());
        } else {
            z.putInt(KERNEL_ALIGNMENT, 0x100_0000);
        }
        z.putShort(BOOT_FLAG, (short) 0xAA55);
        z.putInt(HEADER, KernelLoader.HDRS);
        z.put(TYPE_OF_LOADER, (byte) 0xFF);
        z.putInt(CMD_LINE_PTR, (int) Layout.CMDLINE);
        z.putInt(CMDLINE_SIZE, cl.length + 1);
        z.putInt(RAMDISK_IMAGE, (int) initrdAddr);
        z.putInt(RAMDISK_SIZE, (int) initrdSize);
        int n = 0;
        n = e820(z, n, 0, Layout.EBDA_START, E820_RAM);
        n = e820(z, n, Layout.EBDA_START, Layout.BIOS_END - Layout.EBDA_START, E820_RESERVED);
        for (MemoryRegion r : mem.regions()) {
            long start = Math.max(r.guestAddress(), Layout.HIMEM);
            if (r.end() > start) n = e820(z, n, start, r.end() - start, E820_RAM);
        }
        z.put(E820_ENTRIES, (byte) n);
        mem.write(Layout.ZERO_PAGE, z.array());
    }

    /**
     * The longest command line (without its NUL) the kernel reads whole: the bzImage header's {@code cmdline_size}
     * (boot protocol 2.06+), else x86's COMMAND_LINE_SIZE - 1, never more than the page the VMM puts it in.
     */
    static int maxCmdline(LoadedKernel kernel) {
        int max = COMMAND_LINE_SIZE - 1;
        byte[] h = kernel.setupHeader();
        if (h != null && h.length >= CMDLINE_SIZE + 4 - SETUP_HEADER) {
            ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
            long size = b.getInt(CMDLINE_SIZE - SETUP_HEADER) & 0xFFFF_FFFFL;
            if ((b.getShort(VERSION - SETUP_HEADER) & 0xFFFF) >= 0x206 && size > 0) max = (int) Math.min(size, Integer.MAX_VALUE);
        }
        return Math.min(max, Layout.CMDLINE_MAX - 1);
    }

    private static int e820(ByteBuffer z, int n, long addr, long size, int type) {
        int o = E820_TABLE + E820_ENTRY_SIZE * n;
        z.putLong(o, addr).putLong(o + 8, size).putInt(o + 16, type);
        return n + 1;
    }

    /** Where an initrd of {@code size} bytes goes: page-aligned at the top of RAM below 4 GiB and below the kernel's limit. */
    public static long initrdAddress(GuestMemory mem, LoadedKernel kernel, long size) {
        long top = mem.regions().get(0).end();
        if (kernel.setupHeader() != null && kernel.setupHeader().length > INITRD_ADDR_MAX - SETUP_HEADER + 4) {
            long max = ByteBuffer.wrap(kernel.setupHeader()).order(ByteOrder.LITTLE_ENDIAN).getInt(INITRD_ADDR_MAX - SETUP_HEADER) & 0xFFFF_FFFFL;
            if (max > 0) top = Math.min(top, max + 1);
        }
        long addr = (top - size) & ~0xFFFL;
        if (addr < kernel.end()) throw new IllegalArgumentException("initrd of " + size + " bytes does not fit above the kernel; give the VM more memory");
        return addr;
    }
}
