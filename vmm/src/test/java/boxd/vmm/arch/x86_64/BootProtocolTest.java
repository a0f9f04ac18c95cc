package boxd.vmm.arch.x86_64;

import boxd.vmm.kvm.CpuidEntry;
import boxd.vmm.memory.HeapGuestMemory;
import boxd.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Boot-protocol details checked against boot.rst, the kernel's decompressor and what KVM reports in CPUID. */
class BootProtocolTest {
    private final HeapGuestMemory mem = new HeapGuestMemory(MemoryRegion.withMmioGap(64L << 20));

    /** A minimal relocatable 64-bit bzImage header: protocol 2.15, setup_sects 1, the given decompression needs. */
    private static byte[] bzImage(long prefAddress, long initSize) {
        byte[] img = new byte[0x4000];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1F1] = 1;
        img[0x201] = 0x6A;
        b.putInt(0x202, KernelLoader.HDRS);
        b.putShort(0x206, (short) 0x20F);
        img[0x211] = 1;
        b.putInt(0x22C, 0x7FFF_FFFF);
        b.putInt(0x230, 0x20_0000);
        img[0x234] = 1;
        b.putShort(0x236, (short) 1);
        b.putInt(0x238, 2047);
        b.putLong(0x258, prefAddress);
        b.putInt(0x260, (int) initSize);
        return img;
    }

    @Test
    void bzImageReservesItsDecompressionAreaAtPrefAddressNotAtTheLoadAddress() throws Exception {
        // the decompressor works in [max(align_up(1 MiB), pref_address), + init_size) = [16 MiB, 48 MiB)
        LoadedKernel k = KernelLoader.loadBzImage(mem, bzImage(16L << 20, 32L << 20));
        assertEquals(Layout.HIMEM + 0x200, k.entry());
        assertEquals(48L << 20, k.end(), "end of the decompression area");
        // a 20 MiB initrd at the top of 64 MiB would start at 44 MiB: inside that area, so it must be refused
        assertThrows(IllegalArgumentException.class, () -> BootParams.initrdAddress(mem, k, 20L << 20));
        long ok = BootParams.initrdAddress(mem, k, 8L << 20);
        assertTrue(ok >= 48L << 20, "an initrd that fits goes above the decompression area");
    }

    @Test
    void bzImageWhoseDecompressionAreaDoesNotFitIsRefused() {
        // 1 MiB + image fits 64 MiB, but 16 MiB + 60 MiB of init_size does not
        var e = assertThrows(java.io.IOException.class, () -> KernelLoader.loadBzImage(mem, bzImage(16L << 20, 60L << 20)));
        assertTrue(e.getMessage().contains("more memory"), e.getMessage());
    }

    @Test
    void commandLineLongerThanTheKernelReadsIsRefused() throws Exception {
        LoadedKernel vmlinux = new LoadedKernel(0x1000000, 0x2000000, null);
        String fits = "x".repeat(2047);
        BootParams.write(mem, vmlinux, fits, 0, 0);
        assertEquals(2048, ByteBuffer.wrap(mem.read(Layout.ZERO_PAGE, 4096)).order(ByteOrder.LITTLE_ENDIAN).getInt(0x238));
        // x86 COMMAND_LINE_SIZE is 2048 (NUL included): a longer line would be cut off without a word
        assertThrows(IllegalArgumentException.class, () -> BootParams.write(mem, vmlinux, "x".repeat(2048), 0, 0));

        // a bzImage says how long a line it takes in its header's cmdline_size
        byte[] img = bzImage(16L << 20, 8L << 20);
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putInt(0x238, 3000);
        LoadedKernel bz = KernelLoader.loadBzImage(mem, img);
        BootParams.write(mem, bz, "y".repeat(3000), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> BootParams.write(mem, bz, "y".repeat(3001), 0, 0));
    }

    private static CpuidEntry find(List<CpuidEntry> l, int function, int index) {
        return l.stream().filter(e -> e.function() == function && e.index() == index).findFirst()
                .orElseThrow(() -> new AssertionError(String.format("no CPUID leaf %#x.%d in %s", function, index, l)));
    }

    @Test
    void topologyLeavesAreWrittenInFullWhenKvmReportsOnlyAZeroedSubleafZero() {
        // what KVM_GET_SUPPORTED_CPUID returns since Linux 6.1: 0xB.0 and 0x1F.0 zeroed, no subleaf 1
        var supported = List.of(new CpuidEntry(1, 0, 0, 0x906ea, 0, 0, 0), new CpuidEntry(0xB, 0, 1, 0, 0, 0, 0),
                new CpuidEntry(0x1F, 0, 1, 0, 0, 0, 0));
        for (int vcpu = 0; vcpu < 4; vcpu++) {
            var c = Cpuid.forVcpu(supported, vcpu, 4, false);
            for (int leaf : new int[] {0xB, 0x1F}) {
                CpuidEntry smt = find(c, leaf, 0), core = find(c, leaf, 1), end = find(c, leaf, 2);
                assertEquals(1, (smt.ecx() >>> 8) & 0xFF, "subleaf 0 is the SMT level");
                assertEquals(1, smt.ebx(), "one thread per core");
                assertEquals(0, smt.eax() & 0x1F, "no SMT bits in the APIC id");
                assertEquals(2, (core.ecx() >>> 8) & 0xFF, "subleaf 1 is the core level");
                assertEquals(1, core.ecx() & 0xFF, "subleaf 1 reports its level number");
                assertEquals(4, core.ebx() & 0xFFFF, "4 cores in the package");
                assertEquals(2, core.eax() & 0x1F, "APIC id >> 2 is the package id: one package for 4 vCPUs");
                assertEquals(0, (end.ecx() >>> 8) & 0xFF, "subleaf 2 ends the list");
                for (CpuidEntry e : List.of(smt, core, end)) {
                    assertEquals(vcpu, e.edx(), "x2APIC id");
                    assertEquals(1, e.flags() & 1, "index is significant");
                }
            }
            assertEquals(vcpu, find(c, 1, 0).ebx() >>> 24, "leaf 1 initial APIC id");
            assertEquals(4, (find(c, 1, 0).ebx() >>> 16) & 0xFF, "leaf 1 logical processors per package");
        }
        var single = Cpuid.forVcpu(supported, 0, 1, false);
        assertEquals(0, find(single, 0xB, 1).eax() & 0x1F);
        assertEquals(1, find(single, 0xB, 1).ebx());
    }

    @Test
    void amdExtendedTopologyLeafCarriesEachVcpusApicId() {
        var supported = List.of(new CpuidEntry(0x8000001E, 0, 0, 0, 0, 0, 0));
        var c = Cpuid.forVcpu(supported, 3, 4, false);
        CpuidEntry e = find(c, 0x8000001E, 0);
        assertEquals(3, e.eax(), "extended APIC id");
        assertEquals(3, e.ebx() & 0xFF, "core id");
        assertEquals(0, (e.ebx() >>> 8) & 0xFF, "one thread per core");
    }

    @Test
    void amxIsHiddenWhenKvmOffersTileConfigWithoutTileData() {
        int x87sseAvx = 0b111;
        int amxBits = Cpuid.EDX7_AMX_BF16 | Cpuid.EDX7_AMX_TILE | Cpuid.EDX7_AMX_INT8;
        // host kernels 5.17-6.3 without ARCH_REQ_XCOMP_GUEST_PERM: XTILECFG offered, XTILEDATA not
        var halfAmx = List.of(new CpuidEntry(7, 0, 1, 0, 0, 0, amxBits | 1 << 4),
                new CpuidEntry(0xD, 0, 1, x87sseAvx | Cpuid.XCR0_XTILECFG, 0x340, 0x2b00, 0));
        var c = Cpuid.forVcpu(halfAmx, 0, 1, false);
        assertEquals(x87sseAvx, find(c, 0xD, 0).eax(), "XTILECFG must not be offered without XTILEDATA (XSETBV would #GP)");
        assertEquals(1 << 4, find(c, 7, 0).edx(), "AMX features hidden, the rest of leaf 7 EDX kept");

        // host kernels 6.4+ without the permission offer neither tile state: leaf 7 must not claim AMX either
        var noTiles = List.of(new CpuidEntry(7, 0, 1, 0, 0, 0, amxBits), new CpuidEntry(0xD, 0, 1, x87sseAvx, 0x340, 0x340, 0));
        assertEquals(0, find(Cpuid.forVcpu(noTiles, 0, 1, false), 7, 0).edx());

        // AMX permitted: both tile states offered, nothing hidden
        var fullAmx = List.of(new CpuidEntry(7, 0, 1, 0, 0, 0, amxBits),
                new CpuidEntry(0xD, 0, 1, x87sseAvx | Cpuid.XCR0_XTILECFG | Cpuid.XCR0_XTILEDATA, 0x340, 0x2b00, 0));
        var f = Cpuid.forVcpu(fullAmx, 0, 1, false);
        assertEquals(x87sseAvx | Cpuid.XCR0_XTILECFG | Cpuid.XCR0_XTILEDATA, find(f, 0xD, 0).eax());
        assertEquals(amxBits, find(f, 7, 0).edx());
    }
}
