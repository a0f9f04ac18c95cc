package boxd.vmm.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Guest memory in Java byte arrays (regions up to 1 GiB): for device tests that need no KVM. */
public final class HeapGuestMemory extends AbstractGuestMemory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[][] data;

    public HeapGuestMemory(List<MemoryRegion> regions) {
        super(regions);
        data = new byte[regions.size()][];
        for (int i = 0; i < regions.size(); i++) {
            long size = regions.get(i).size();
            if (size > (1L << 30)) throw new IllegalArgumentException("heap guest memory regions are limited to 1 GiB");
            data[i] = new byte[(int) size];
        }
    }

    /** One region of {@code size} bytes at address 0. */
    public static HeapGuestMemory of(long size) {
        return new HeapGuestMemory(List.of(new MemoryRegion(0, size)));
    }

    @Override int getU8(int r, long off) { return data[r][(int) off] & 0xFF; }
    @Override int getU16(int r, long off) { return (short) SHORT.get(data[r], (int) off) & 0xFFFF; }
    @Override long getU32(int r, long off) { return (int) INT.get(data[r], (int) off) & 0xFFFF_FFFFL; }
    @Override long getU64(int r, long off) { return (long) LONG.get(data[r], (int) off); }
    @Override void putU8(int r, long off, int v) { data[r][(int) off] = (byte) v; }
    @Override void putU16(int r, long off, int v) { SHORT.set(data[r], (int) off, (short) v); }
    @Override void putU32(int r, long off, long v) { INT.set(data[r], (int) off, (int) v); }
    @Override void putU64(int r, long off, long v) { LONG.set(data[r], (int) off, v); }
    @Override void getBytes(int r, long off, byte[] dst, int dstOff, int len) { System.arraycopy(data[r], (int) off, dst, dstOff, len); }
    @Override void putBytes(int r, long off, byte[] src, int srcOff, int len) { System.arraycopy(src, srcOff, data[r], (int) off, len); }
    @Override ByteBuffer view(int r, long off, int len) { return ByteBuffer.wrap(data[r], (int) off, len).slice().order(ByteOrder.LITTLE_ENDIAN); }
}
