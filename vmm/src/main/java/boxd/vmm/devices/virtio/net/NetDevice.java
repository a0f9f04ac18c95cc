package boxd.vmm.devices.virtio.net;

import boxd.vmm.devices.virtio.AbstractVirtioDevice;
import boxd.vmm.devices.virtio.DescriptorChain;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.VirtioFeatures;

import java.io.IOException;

/**
 * virtio-net with a 12-byte virtio_net_hdr_v1 before every frame (no offloads negotiated, so the header is all zeros
 * but num_buffers). Queue 0 receives (host to guest), queue 1 transmits. A frame waiting for a receive buffer is
 * held until the driver posts one; a receive buffer too small for the frame is returned empty and the frame dropped.
 */
public final class NetDevice extends AbstractVirtioDevice {
    public static final long F_MAC = 1L << 5;
    public static final int HDR = 12;
    public static final int RX = 0, TX = 1, QUEUE_SIZE = 256;
    private static final int MAX_FRAME = 65536;

    private final NetBackend backend;
    private final byte[] mac;
    private final byte[] txBuf = new byte[MAX_FRAME + HDR];
    private final byte[] rxBuf = new byte[MAX_FRAME];
    private boolean pending;
    private int pendingLen;
    private long rxFrames, txFrames, rxDropped;

    public NetDevice(NetBackend backend, byte[] mac) {
        if (mac.length != 6) throw new IllegalArgumentException("a MAC address is 6 bytes");
        this.backend = backend;
        this.mac = mac.clone();
    }

    @Override public int deviceType() { return VirtioFeatures.TYPE_NET; }

    @Override public long availableFeatures() { return VirtioFeatures.VERSION_1 | F_MAC; }

    @Override public int[] queueMaxSizes() { return new int[] {QUEUE_SIZE, QUEUE_SIZE}; }

    @Override
    public void readConfig(long offset, byte[] data) {
        byte[] cfg = new byte[8];
        System.arraycopy(mac, 0, cfg, 0, 6);
        cfg[6] = 1; // status: link up
        readConfigBytes(cfg, offset, data);
    }

    @Override public void writeConfig(long offset, byte[] data) {}

    public synchronized long rxFrames() { return rxFrames; }
    public synchronized long txFrames() { return txFrames; }
    public synchronized long rxDropped() { return rxDropped; }

    @Override
    protected void process(int index) {
        if (index == TX) transmit();
        else receive();
    }

    /** The backend has frames for the guest (its poll fd turned readable). */
    public synchronized void backendReadable() {
        if (isActive()) receive();
    }

    @Override
    protected void onReset() {
        pending = false;
    }

    private void transmit() {
        Queue q = queues.get(TX);
        byte[] buf = txBuf;
        DescriptorChain c;
        while ((c = q.popValid(mem)) != null) {
            long len = c.readableLength();
            if (len > HDR && len <= buf.length && c.read(0, buf, 0, (int) len)) {
                try {
                    backend.send(buf, HDR, (int) len - HDR);
                    txFrames++;
                } catch (IOException e) {
                    // the host side is gone or full: the frame is lost, as on a real link
                }
            }
            q.addUsed(mem, c.head(), 0);
        }
        signalUsed(q);
    }

    private void receive() {
        Queue q = queues.get(RX);
        while (true) {
            if (!pending) {
                int n;
                try {
                    n = backend.receive(rxBuf);
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) break;
                pending = true;
                pendingLen = n;
            }
            DescriptorChain c = q.popValid(mem);
            if (c == null) break; // keep the frame until the driver posts a buffer
            long need = (long) HDR + pendingLen;
            if (c.writableLength() < need) {
                q.addUsed(mem, c.head(), 0);
                rxDropped++;
            } else {
                byte[] hdr = new byte[HDR];
                hdr[10] = 1; // num_buffers
                c.write(0, hdr, 0, HDR);
                c.write(HDR, rxBuf, 0, pendingLen);
                q.addUsed(mem, c.head(), need);
                rxFrames++;
            }
            pending = false;
        }
        signalUsed(q);
    }
}
