package boxd.vmm.arch.x86_64;

import boxd.vmm.kvm.KvmSegment;
import boxd.vmm.memory.GuestMemory;

/** The boot GDT (null, 64-bit code, data, busy TSS) and the KVM segment registers decoded from its entries. */
public final class Gdt {
    private Gdt() {}

    public static final long[] ENTRIES = {
            0,
            entry(0xA09B, 0, 0xFFFFF), // code: 64-bit, execute/read, 4 KiB granularity
            entry(0xC093, 0, 0xFFFFF), // data: read/write
            entry(0x808B, 0, 0xFFFFF), // TSS: busy 64-bit (VM entry requires a usable TR)
    };

    /** Builds a descriptor from packed flags (access byte in bits 0-7, flags nibble in 12-15), base and limit. */
    public static long entry(int flags, long base, long limit) {
        return ((base & 0xFF000000L) << 32) | ((base & 0x00FFFFFFL) << 16) | (limit & 0xFFFFL)
                | (((long) flags & 0xF0FF) << 40) | ((limit & 0xF0000L) << 32);
    }

    /** Decodes entry {@code e} at index {@code index} into a KVM segment. */
    public static KvmSegment segment(long e, int index) {
        long base = ((e >>> 16) & 0xFFFFFF) | ((e >>> 32) & 0xFF000000L);
        long limitRaw = (e & 0xFFFF) | ((e >>> 32) & 0xF0000);
        boolean g = ((e >>> 55) & 1) != 0;
        int limit = (int) (g ? (limitRaw << 12) | 0xFFF : limitRaw);
        boolean present = ((e >>> 47) & 1) != 0;
        return new KvmSegment(base, limit, index * 8, (int) ((e >>> 40) & 0xF), present, (int) ((e >>> 45) & 3),
                ((e >>> 54) & 1) != 0, ((e >>> 44) & 1) != 0, ((e >>> 53) & 1) != 0, g, ((e >>> 52) & 1) != 0, !present);
    }

    public static void write(GuestMemory mem) {
        for (int i = 0; i < ENTRIES.length; i++) mem.writeU64(Layout.GDT + 8L * i, ENTRIES[i]);
        mem.writeU64(Layout.IDT, 0);
    }
}
