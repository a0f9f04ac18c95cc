package boxd.vmm.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A block of native memory: either owned (allocated here, freed by {@link #close}) or a view over memory someone else
 * owns (an mmap'd kvm_run page, guest RAM). Little-endian accessors with offsets checked against the size, so a wrong
 * offset is an exception and never a stray native write.
 */
public final class NativeBuffer implements AutoCloseable {
    private final Pointer pointer;
    private final Memory owned;
    private final long size;

    private NativeBuffer(Pointer pointer, Memory owned, long size) {
        this.pointer = pointer;
        this.owned = owned;
        this.size = size;
    }

    /** Allocates {@code size} zeroed bytes. */
    public static NativeBuffer allocate(long size) {
        Memory m = new Memory(Math.max(1, size));
        m.clear();
        return new NativeBuffer(m, m, size);
    }

    /** A view over {@code size} bytes at native address {@code address} (not freed by close). */
    public static NativeBuffer wrap(long address, long size) {
        return new NativeBuffer(new Pointer(address), null, size);
    }

    public long size() { return size; }

    public long address() { return Pointer.nativeValue(pointer); }

    Pointer pointer() { return pointer; }

    private void check(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IndexOutOfBoundsException("native access [" + offset + ", +" + len + ") outside buffer of " + size);
        }
    }

    public int getU8(long off) { check(off, 1); return pointer.getByte(off) & 0xFF; }
    public int getU16(long off) { check(off, 2); return pointer.getShort(off) & 0xFFFF; }
    public int getI32(long off) { check(off, 4); return pointer.getInt(off); }
    public long getU32(long off) { check(off, 4); return pointer.getInt(off) & 0xFFFF_FFFFL; }
    public long getI64(long off) { check(off, 8); return pointer.getLong(off); }

    public void putU8(long off, int v) { check(off, 1); pointer.setByte(off, (byte) v); }
    public void putU16(long off, int v) { check(off, 2); pointer.setShort(off, (short) v); }
    public void putI32(long off, int v) { check(off, 4); pointer.setInt(off, v); }
    public void putI64(long off, long v) { check(off, 8); pointer.setLong(off, v); }

    public void getBytes(long off, byte[] dst, int dstOff, int len) { check(off, len); pointer.read(off, dst, dstOff, len); }
    public void putBytes(long off, byte[] src, int srcOff, int len) { check(off, len); pointer.write(off, src, srcOff, len); }

    public byte[] getBytes(long off, int len) {
        byte[] b = new byte[len];
        getBytes(off, b, 0, len);
        return b;
    }

    public void clear() { pointer.setMemory(0, size, (byte) 0); }

    /** A little-endian direct ByteBuffer view (at most 2 GiB) over part of this buffer. */
    public ByteBuffer byteBuffer(long off, int len) {
        check(off, len);
        return pointer.getByteBuffer(off, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
