package boxd.vmm.memory;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Guest-physical memory as devices and loaders see it. Every access names a guest address and length that is checked
 * against the RAM regions first: an access that does not lie wholly inside one region throws
 * {@link GuestMemoryException} and touches nothing. Multi-byte values are little-endian.
 */
public interface GuestMemory extends AutoCloseable {
    /** {@return the RAM regions, sorted by address} */
    List<MemoryRegion> regions();

    /** {@return total bytes of RAM} */
    default long size() {
        return regions().stream().mapToLong(MemoryRegion::size).sum();
    }

    /** {@return whether [gpa, gpa+len) lies inside one RAM region} */
    boolean isValid(long gpa, long len);

    int readU8(long gpa);
    int readU16(long gpa);
    long readU32(long gpa);
    long readU64(long gpa);
    void writeU8(long gpa, int v);
    void writeU16(long gpa, int v);
    void writeU32(long gpa, long v);
    void writeU64(long gpa, long v);

    /** Reads a u16 that the guest publishes (a ring index): loads after it are not reordered before it. */
    default int readU16Acquire(long gpa) {
        int v = readU16(gpa);
        java.lang.invoke.VarHandle.acquireFence();
        return v;
    }

    /** Publishes a u16 to the guest (a ring index): stores before it become visible first. */
    default void writeU16Release(long gpa, int v) {
        java.lang.invoke.VarHandle.releaseFence();
        writeU16(gpa, v);
    }

    void read(long gpa, byte[] dst, int off, int len);
    void write(long gpa, byte[] src, int off, int len);

    default byte[] read(long gpa, int len) {
        byte[] b = new byte[len];
        read(gpa, b, 0, len);
        return b;
    }

    default void write(long gpa, byte[] src) { write(gpa, src, 0, src.length); }

    /** A little-endian ByteBuffer view over [gpa, gpa+len) for bulk I/O (file reads straight into guest RAM). */
    ByteBuffer slice(long gpa, int len);

    @Override
    default void close() {}
}
