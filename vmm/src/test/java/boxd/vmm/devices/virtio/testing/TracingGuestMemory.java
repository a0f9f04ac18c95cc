package boxd.vmm.devices.virtio.testing;

import boxd.vmm.memory.GuestMemory;
import boxd.vmm.memory.GuestMemoryException;
import boxd.vmm.memory.MemoryRegion;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest memory that records every write range and every access attempted outside memory, so a test can prove a
 * device wrote only where the guest allowed it and never reached past guest RAM. Slices are recorded as writes.
 */
public final class TracingGuestMemory implements GuestMemory {
    private final GuestMemory inner;
    public final List<long[]> writes = new ArrayList<>();
    public int outOfBounds;

    public TracingGuestMemory(GuestMemory inner) { this.inner = inner; }

    private void check(long gpa, long len) {
        if (!inner.isValid(gpa, len)) {
            outOfBounds++;
            throw new GuestMemoryException(gpa, len);
        }
    }

    private void w(long gpa, long len) {
        check(gpa, len);
        writes.add(new long[] {gpa, len});
    }

    @Override public List<MemoryRegion> regions() { return inner.regions(); }
    @Override public boolean isValid(long gpa, long len) { return inner.isValid(gpa, len); }
    @Override public int readU8(long gpa) { check(gpa, 1); return inner.readU8(gpa); }
    @Override public int readU16(long gpa) { check(gpa, 2); return inner.readU16(gpa); }
    @Override public long readU32(long gpa) { check(gpa, 4); return inner.readU32(gpa); }
    @Override public long readU64(long gpa) { check(gpa, 8); return inner.readU64(gpa); }
    @Override public void writeU8(long gpa, int v) { w(gpa, 1); inner.writeU8(gpa, v); }
    @Override public void writeU16(long gpa, int v) { w(gpa, 2); inner.writeU16(gpa, v); }
    @Override public void writeU32(long gpa, long v) { w(gpa, 4); inner.writeU32(gpa, v); }
    @Override public void writeU64(long gpa, long v) { w(gpa, 8); inner.writeU64(gpa, v); }
    @Override public void read(long gpa, byte[] dst, int off, int len) { check(gpa, len); inner.read(gpa, dst, off, len); }
    @Override public void write(long gpa, byte[] src, int off, int len) { w(gpa, len); inner.write(gpa, src, off, len); }
    @Override public ByteBuffer slice(long gpa, int len) { w(gpa, len); return inner.slice(gpa, len); }
}
