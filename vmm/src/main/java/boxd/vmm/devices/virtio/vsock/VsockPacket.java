package boxd.vmm.devices.virtio.vsock;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A virtio-vsock packet: the 44-byte header fields and the payload. */
public record VsockPacket(long srcCid, long dstCid, int srcPort, int dstPort, int type, int op, int flags,
                          int bufAlloc, int fwdCnt, byte[] payload) {
    public static final int HEADER = 44;
    public static final int TYPE_STREAM = 1;
    public static final int OP_REQUEST = 1, OP_RESPONSE = 2, OP_RST = 3, OP_SHUTDOWN = 4, OP_RW = 5,
            OP_CREDIT_UPDATE = 6, OP_CREDIT_REQUEST = 7;
    public static final int SHUTDOWN_RCV = 1, SHUTDOWN_SEND = 2;

    /** {@return this packet with another payload (the header's length field follows it)} */
    public VsockPacket withPayload(byte[] p) {
        return new VsockPacket(srcCid, dstCid, srcPort, dstPort, type, op, flags, bufAlloc, fwdCnt, p);
    }

    public byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(srcCid).putLong(dstCid).putInt(srcPort).putInt(dstPort).putInt(payload.length)
                .putShort((short) type).putShort((short) op).putInt(flags).putInt(bufAlloc).putInt(fwdCnt);
        return b.array();
    }

    /** Parses a header; {@code len} is returned separately so the caller can check it before reading the payload. */
    public static VsockPacket parseHeader(byte[] h, byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        return new VsockPacket(b.getLong(0), b.getLong(8), b.getInt(16), b.getInt(20), b.getShort(28) & 0xFFFF,
                b.getShort(30) & 0xFFFF, b.getInt(32), b.getInt(36), b.getInt(40), payload);
    }

    public static long payloadLength(byte[] h) {
        return ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(24) & 0xFFFF_FFFFL;
    }
}
