package boxd.vmm.memory;

import java.util.List;

/** A contiguous range of guest-physical RAM. */
public record MemoryRegion(long guestAddress, long size) {
    /** Start of the hole below 4 GiB left for device MMIO (virtio-mmio, IOAPIC, LAPIC, the boot-time marker). */
    public static final long MMIO_GAP_START = 0xC000_0000L;
    public static final long MMIO_GAP_END = 0x1_0000_0000L;

    public MemoryRegion {
        if (guestAddress < 0 || size <= 0) throw new IllegalArgumentException("bad memory region " + guestAddress + "+" + size);
    }

    public long end() { return guestAddress + size; }

    public boolean contains(long gpa, long len) {
        return len >= 0 && gpa >= guestAddress && gpa - guestAddress <= size - len;
    }

    /** Lays out {@code ramSize} bytes of RAM from address 0, skipping the MMIO gap below 4 GiB. */
    public static List<MemoryRegion> withMmioGap(long ramSize) {
        if (ramSize <= 0 || (ramSize & 0xFFF) != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB, got " + ramSize);
        }
        if (ramSize <= MMIO_GAP_START) return List.of(new MemoryRegion(0, ramSize));
        return List.of(new MemoryRegion(0, MMIO_GAP_START), new MemoryRegion(MMIO_GAP_END, ramSize - MMIO_GAP_START));
    }
}
