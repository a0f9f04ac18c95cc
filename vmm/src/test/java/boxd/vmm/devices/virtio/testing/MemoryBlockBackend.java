package boxd.vmm.devices.virtio.testing;

import boxd.vmm.devices.virtio.block.BlockBackend;

import java.nio.ByteBuffer;

/** A disk in a byte array. */
public final class MemoryBlockBackend implements BlockBackend {
    public final byte[] data;
    public int flushes;

    public MemoryBlockBackend(int size) { data = new byte[size]; }

    @Override public long sizeBytes() { return data.length; }

    @Override public void read(long offset, ByteBuffer dst) { dst.put(data, (int) offset, dst.remaining()); }

    @Override public void write(long offset, ByteBuffer src) { src.get(data, (int) offset, src.remaining()); }

    @Override public void flush() { flushes++; }
}
