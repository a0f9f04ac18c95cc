package boxd.vmm.devices;

import java.util.Map;
import java.util.TreeMap;

/** Address ranges to devices, for port I/O or MMIO. Registration happens before the vCPUs start; lookups are lock-free reads. */
public final class Bus {
    private record Range(long base, long length, BusDevice device) {}

    private volatile TreeMap<Long, Range> ranges = new TreeMap<>();

    /** Adds {@code device} at [base, base+length); overlapping an existing range is an error. */
    public synchronized void register(long base, long length, BusDevice device) {
        if (length <= 0) throw new IllegalArgumentException("bus range length must be positive");
        TreeMap<Long, Range> next = new TreeMap<>(ranges);
        Map.Entry<Long, Range> below = next.floorEntry(base + length - 1);
        if (below != null && below.getValue().base() + below.getValue().length() > base) {
            throw new IllegalArgumentException(String.format("bus range %#x+%#x overlaps %#x+%#x", base, length,
                    below.getValue().base(), below.getValue().length()));
        }
        next.put(base, new Range(base, length, device));
        ranges = next;
    }

    private Range find(long addr) {
        Map.Entry<Long, Range> e = ranges.floorEntry(addr);
        if (e == null) return null;
        Range r = e.getValue();
        return addr - r.base() < r.length() ? r : null;
    }

    /** Dispatches a read; returns false (and zero-fills) when no device claims {@code addr}. */
    public boolean read(long addr, byte[] data) {
        Range r = find(addr);
        if (r == null) {
            java.util.Arrays.fill(data, (byte) 0);
            return false;
        }
        r.device().read(addr - r.base(), data);
        return true;
    }

    /** Dispatches a write; returns false when no device claims {@code addr}. */
    public boolean write(long addr, byte[] data) {
        Range r = find(addr);
        if (r == null) return false;
        r.device().write(addr - r.base(), data);
        return true;
    }
}
