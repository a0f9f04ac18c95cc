package boxd.vmm.devices.virtio.block;

import boxd.vmm.devices.virtio.AbstractVirtioDevice;
import boxd.vmm.devices.virtio.DescriptorChain;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.VirtioFeatures;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * virtio-blk over a {@link BlockBackend}: IN, OUT, FLUSH and GET_ID, read-only when asked. A request the device
 * cannot honour gets IOERR (bad sector range, short buffers, write to a read-only disk) or UNSUPP (unknown type)
 * in its status byte; a chain with no status byte is returned with length 0.
 */
public final class BlockDevice extends AbstractVirtioDevice {
    public static final long F_RO = 1L << 5, F_FLUSH = 1L << 9;
    public static final int SECTOR = 512;
    public static final int QUEUE_SIZE = 256;

    private final BlockBackend backend;
    private final boolean readOnly;
    private final byte[] id;
    private final long sectors;

    public BlockDevice(BlockBackend backend, boolean readOnly, String id) {
        this.backend = backend;
        this.readOnly = readOnly;
        byte[] idb = id.getBytes(StandardCharsets.US_ASCII);
        this.id = java.util.Arrays.copyOf(idb, Math.min(20, idb.length));
        this.sectors = backend.sizeBytes() / SECTOR;
    }

    @Override public int deviceType() { return VirtioFeatures.TYPE_BLOCK; }

    @Override public long availableFeatures() { return VirtioFeatures.VERSION_1 | F_FLUSH | (readOnly ? F_RO : 0); }

    @Override public int[] queueMaxSizes() { return new int[] {QUEUE_SIZE}; }

    @Override
    public void readConfig(long offset, byte[] data) {
        byte[] cfg = new byte[8];
        ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN).putLong(0, sectors);
        readConfigBytes(cfg, offset, data);
    }

    @Override public void writeConfig(long offset, byte[] data) {}

    @Override
    protected void process(int index) {
        Queue q = queues.get(index);
        DescriptorChain chain;
        while ((chain = q.popValid(mem)) != null) q.addUsed(mem, chain.head(), handle(chain));
        signalUsed(q);
    }

    /** Executes one request and returns the used length (bytes written into the guest's buffers). */
    private long handle(DescriptorChain chain) {
        BlockRequest r = BlockRequest.parse(chain);
        if (r == null) return 0;
        byte status;
        long written = 0;
        switch (r.type()) {
            case BlockRequest.T_IN -> {
                status = rangeOk(r) ? io(chain, r, false) : BlockRequest.S_IOERR;
                if (status == BlockRequest.S_OK) written = r.dataLength();
            }
            case BlockRequest.T_OUT -> status = readOnly || !rangeOk(r) ? BlockRequest.S_IOERR : io(chain, r, true);
            case BlockRequest.T_FLUSH -> {
                try {
                    if (!readOnly) backend.flush();
                    status = BlockRequest.S_OK;
                } catch (IOException e) {
                    status = BlockRequest.S_IOERR;
                }
            }
            case BlockRequest.T_GET_ID -> {
                int n = (int) Math.min(20, r.dataLength());
                byte[] out = java.util.Arrays.copyOf(id, n);
                status = n > 0 && chain.write(0, out, 0, n) ? BlockRequest.S_OK : BlockRequest.S_IOERR;
                if (status == BlockRequest.S_OK) written = n;
            }
            case -1 -> status = BlockRequest.S_IOERR; // header shorter than 16 bytes
            default -> status = BlockRequest.S_UNSUPP;
        }
        chain.write(r.statusOffset(), new byte[] {status}, 0, 1);
        return written + 1;
    }

    private boolean rangeOk(BlockRequest r) {
        long len = r.dataLength();
        if (len < 0 || len % SECTOR != 0) return false;
        long n = len / SECTOR;
        return r.sector() >= 0 && r.sector() <= sectors && n <= sectors - r.sector();
    }

    private byte io(DescriptorChain chain, BlockRequest r, boolean write) {
        long pos = r.sector() * SECTOR;
        try {
            for (ByteBuffer b : chain.slices(write ? false : true, write ? BlockRequest.HEADER : 0, r.dataLength())) {
                int n = b.remaining();
                if (write) backend.write(pos, b);
                else backend.read(pos, b);
                pos += n;
            }
            return BlockRequest.S_OK;
        } catch (IOException | RuntimeException e) {
            return BlockRequest.S_IOERR;
        }
    }
}
