package boxd.vmm.memory;

import java.nio.ByteBuffer;
import java.util.List;

/** Region lookup and bounds checks shared by the heap and mmap implementations. */
abstract class AbstractGuestMemory implements GuestMemory {
    private final MemoryRegion[] regions;

    AbstractGuestMemory(List<MemoryRegion> regions) {
        this.regions = regions.toArray(new MemoryRegion[0]);
        for (int i = 1; i < this.regions.length; i++) {
            if (this.regions[i].guestAddress() < this.regions[i - 1].end()) {
                throw new IllegalArgumentException("guest memory regions overlap or are unsorted: " + regions);
            }
        }
    }

    @Override
    public List<MemoryRegion> regions() { return List.of(regions); }

    /** Index of the region holding [gpa, gpa+len), or -1. */
    final int regionOf(long gpa, long len) {
        if (len < 0 || isClosed()) return -1;
        for (int i = 0; i < regions.length; i++) {
            if (regions[i].contains(gpa, len)) return i;
        }
        return -1;
    }

    @Override
    public boolean isValid(long gpa, long len) { return regionOf(gpa, len) >= 0; }

    /** Once closed, every access fails with {@link GuestMemoryException} instead of touching freed memory. */
    boolean isClosed() { return false; }

    /** Checks the range and returns a packed (region index, offset): region in the top 8 bits. */
    final long locate(long gpa, long len) {
        int r = regionOf(gpa, len);
        if (r < 0) throw new GuestMemoryException(gpa, len);
        return ((long) r << 56) | (gpa - regions[r].guestAddress());
    }

    static int region(long loc) { return (int) (loc >>> 56); }

    static long offset(long loc) { return loc & 0x00FF_FFFF_FFFF_FFFFL; }

    abstract int getU8(int region, long off);
    abstract int getU16(int region, long off);
    abstract long getU32(int region, long off);
    abstract long getU64(int region, long off);
    abstract void putU8(int region, long off, int v);
    abstract void putU16(int region, long off, int v);
    abstract void putU32(int region, long off, long v);
    abstract void putU64(int region, long off, long v);
    abstract void getBytes(int region, long off, byte[] dst, int dstOff, int len);
    abstract void putBytes(int region, long off, byte[] src, int srcOff, int len);
    abstract ByteBuffer view(int region, long off, int len);

    @Override public int readU8(long gpa) { long l = locate(gpa, 1); return getU8(region(l), offset(l)); }
    @Override public int readU16(long gpa) { long l = locate(gpa, 2); return getU16(region(l), offset(l)); }
    @Override public long readU32(long gpa) { long l = locate(gpa, 4); return getU32(region(l), offset(l)); }
    @Override public long readU64(long gpa) { long l = locate(gpa, 8); return getU64(region(l), offset(l)); }
    @Override public void writeU8(long gpa, int v) { long l = locate(gpa, 1); putU8(region(l), offset(l), v); }
    @Override public void writeU16(long gpa, int v) { long l = locate(gpa, 2); putU16(region(l), offset(l), v); }
    @Override public void writeU32(long gpa, long v) { long l = locate(gpa, 4); putU32(region(l), offset(l), v); }
    @Override public void writeU64(long gpa, long v) { long l = locate(gpa, 8); putU64(region(l), offset(l), v); }

    @Override
    public void read(long gpa, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        long l = locate(gpa, len);
        getBytes(region(l), offset(l), dst, off, len);
    }

    @Override
    public void write(long gpa, byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        long l = locate(gpa, len);
        putBytes(region(l), offset(l), src, off, len);
    }

    @Override
    public ByteBuffer slice(long gpa, int len) {
        long l = locate(gpa, len);
        return view(region(l), offset(l), len);
    }
}
