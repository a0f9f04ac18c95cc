package boxd.vmm.arch.x86_64;

import boxd.vmm.memory.GuestMemory;

/** Identity-maps the first 4 GiB with 2 MiB pages (PML4 -> one PDPT -> four page directories), for the 64-bit entry. */
public final class PageTables {
    private PageTables() {}

    private static final long PRESENT_RW = 3, PS = 0x80;

    public static void write(GuestMemory mem) {
        mem.writeU64(Layout.PML4, Layout.PDPT | PRESENT_RW);
        for (int d = 0; d < Layout.PD_COUNT; d++) {
            long pd = Layout.PD + 0x1000L * d;
            mem.writeU64(Layout.PDPT + 8L * d, pd | PRESENT_RW);
            for (int i = 0; i < 512; i++) {
                long addr = ((long) d << 30) | ((long) i << 21);
                mem.writeU64(pd + 8L * i, addr | PRESENT_RW | PS);
            }
        }
    }
}
