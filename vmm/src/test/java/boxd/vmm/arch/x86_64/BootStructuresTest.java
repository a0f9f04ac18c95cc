package boxd.vmm.arch.x86_64;

import boxd.vmm.kvm.KvmSegment;
import boxd.vmm.memory.HeapGuestMemory;
import boxd.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BootStructuresTest {
    private final HeapGuestMemory mem = new HeapGuestMemory(MemoryRegion.withMmioGap(64L << 20));

    @Test
    void gdtEntriesMatchFirecrackerAndDecode() {
        assertEquals(0x00AF9B000000FFFFL, Gdt.ENTRIES[1]);
        assertEquals(0x00CF93000000FFFFL, Gdt.ENTRIES[2]);
        assertEquals(0x008F8B000000FFFFL, Gdt.ENTRIES[3]);
        KvmSegment cs = Gdt.segment(Gdt.ENTRIES[1], 1);
        assertTrue(cs.l() && cs.present() && cs.g() && cs.s());
        assertEquals(0x08, cs.selector());
        assertEquals(0xB, cs.type());
        assertEquals(0xFFFFFFFF, cs.limit());
        KvmSegment tr = Gdt.segment(Gdt.ENTRIES[3], 3);
        assertFalse(tr.s());
        assertEquals(0xB, tr.type(), "busy 64-bit TSS");
    }

    @Test
    void pageTablesIdentityMapFourGiB() {
        PageTables.write(mem);
        assertEquals(Layout.PDPT | 3, mem.readU64(Layout.PML4));
        assertEquals(Layout.PD | 3, mem.readU64(Layout.PDPT));
        assertEquals(0x83, mem.readU64(Layout.PD));
        assertEquals((3L << 30) + (511L << 21) | 0x83, mem.readU64(Layout.PD + 3 * 0x1000 + 511 * 8));
    }

    @Test
    void mpTableChecksumsAndEntries() {
        MpTable.write(mem, 4);
        assertEquals("_MP_", new String(mem.read(Layout.MPTABLE, 4)));
        assertEquals(0, sum(mem.read(Layout.MPTABLE, 16)) & 0xFF, "floating pointer checksum");
        long cfg = mem.readU32(Layout.MPTABLE + 4);
        assertEquals("PCMP", new String(mem.read(cfg, 4)));
        int len = mem.readU16(cfg + 4);
        assertEquals(0, sum(mem.read(cfg, len)) & 0xFF, "config table checksum");
        assertEquals(4 + 1 + 1 + 24 + 2, mem.readU16(cfg + 34), "4 CPUs, bus, IOAPIC, 24 sources, 2 LINTs");
        assertEquals(3, mem.readU8(cfg + 44 + 3), "CPU 0 is enabled and the BSP");
        assertEquals(1, mem.readU8(cfg + 44 + 20 + 3), "CPU 1 is enabled, not BSP");
    }

    private static int sum(byte[] b) {
        int s = 0;
        for (byte x : b) s += x & 0xFF;
        return s;
    }

    @Test
    void zeroPageHasCmdlineInitrdAndE820WithoutTheGap() {
        LoadedKernel k = new LoadedKernel(0x1000000, 0x2000000, null);
        BootParams.write(mem, k, "console=ttyS0 panic=1", 0x3000000, 4096);
        ByteBuffer z = ByteBuffer.wrap(mem.read(Layout.ZERO_PAGE, 4096)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0xAA55, z.getShort(0x1FE));
        assertEquals(KernelLoader.HDRS, z.getInt(0x202));
        assertEquals((byte) 0xFF, z.get(0x210));
        assertEquals(Layout.CMDLINE, z.getInt(0x228));
        assertEquals("console=ttyS0 panic=1", new String(mem.read(Layout.CMDLINE, 21)));
        assertEquals(0, mem.readU8(Layout.CMDLINE + 21));
        assertEquals(0x3000000, z.getInt(0x218));
        assertEquals(4096, z.getInt(0x21C));
        int n = z.get(0x1E8);
        assertEquals(3, n);
        assertEquals(Layout.HIMEM, z.getLong(0x2D0 + 40));
        assertEquals((64L << 20) - Layout.HIMEM, z.getLong(0x2D0 + 48));
        assertEquals(0, z.get(0x1EF), "sentinel untouched");
        long initrd = BootParams.initrdAddress(mem, k, 10_000);
        assertEquals(0, initrd & 0xFFF);
        assertTrue(initrd + 10_000 <= 64L << 20);
    }

    @Test
    void bzImageHeaderIsCheckedAndCopied() throws Exception {
        byte[] img = new byte[0x2000];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1F1] = 1;
        img[0x201] = 0x6A;
        b.putInt(0x202, KernelLoader.HDRS);
        b.putShort(0x206, (short) 0x20F);
        img[0x211] = 1;
        b.putShort(0x236, (short) 1);
        b.putInt(0x260, 0x10000);
        img[1024] = 0x42;
        LoadedKernel k = KernelLoader.loadBzImage(mem, img);
        assertEquals(Layout.HIMEM + 0x200, k.entry());
        assertEquals(0x42, mem.readU8(Layout.HIMEM));
        assertEquals(0x202 + 0x6A - 0x1F1, k.setupHeader().length);
        b.putShort(0x236, (short) 0);
        assertThrows(java.io.IOException.class, () -> KernelLoader.loadBzImage(mem, img), "no 64-bit entry");
        assertThrows(java.io.IOException.class, () -> KernelLoader.loadBzImage(mem, new byte[0x300]), "no HdrS");
    }

    @Test
    void cpuidPutsApicIdsAndHidesEmulatorTroubleOnPvm() {
        var supported = List.of(new boxd.vmm.kvm.CpuidEntry(1, 0, 0, 0x906ea, 0, (1 << 26) | (1 << 23), 0),
                new boxd.vmm.kvm.CpuidEntry(0xB, 0, 1, 0, 0, 0, 0), new boxd.vmm.kvm.CpuidEntry(0xA, 0, 0, 7, 7, 7, 7));
        var c = Cpuid.forVcpu(supported, 2, 4, true);
        assertEquals(2, c.get(0).ebx() >>> 24, "initial APIC id");
        assertEquals(0, c.get(0).ecx() & (1 << 26), "XSAVE hidden on PVM");
        assertNotEquals(0, c.get(0).ecx() & (1 << 31), "HYPERVISOR set");
        assertEquals(2, c.stream().filter(e -> e.function() == 0xB && e.index() == 0).findFirst().orElseThrow().edx(),
                "x2APIC id in leaf 0xB");
        assertEquals(0, c.stream().filter(e -> e.function() == 0xA).findFirst().orElseThrow().eax(), "no PMU");
        var hw = Cpuid.forVcpu(supported, 0, 1, false);
        assertNotEquals(0, hw.get(0).ecx() & (1 << 26), "XSAVE kept on hardware KVM");
    }
}
