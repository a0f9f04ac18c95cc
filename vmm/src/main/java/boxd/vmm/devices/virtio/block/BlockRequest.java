package boxd.vmm.devices.virtio.block;

import boxd.vmm.devices.virtio.DescriptorChain;

/**
 * A virtio-blk request parsed from a chain: the 16-byte header from the readable side, the data buffers, and the
 * status byte (the last byte of the writable side). {@link #parse} returns null when there is no status byte to
 * write to, in which case the request can only be returned with length 0.
 */
public record BlockRequest(int type, long sector, long dataLength, long statusOffset) {
    public static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    public static final byte S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    static final int HEADER = 16;

    /** Reads the header; data length is the readable rest (OUT) or the writable part before the status byte (IN, GET_ID). */
    public static BlockRequest parse(DescriptorChain chain) {
        if (chain.writableLength() < 1) return null;
        long statusOffset = chain.writableLength() - 1;
        byte[] h = new byte[HEADER];
        if (!chain.read(0, h, 0, HEADER)) return new BlockRequest(-1, 0, 0, statusOffset);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int type = b.getInt(0);
        long sector = b.getLong(8);
        long data = type == T_OUT ? chain.readableLength() - HEADER : statusOffset;
        return new BlockRequest(type, sector, data, statusOffset);
    }
}
