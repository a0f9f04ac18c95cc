package boxd.vmm.devices.virtio.vsock;

import boxd.vmm.devices.virtio.AbstractVirtioDevice;
import boxd.vmm.devices.virtio.DescriptorChain;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.VirtioFeatures;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * virtio-vsock with the host side in this process: host programs {@link #listen} on ports the guest connects to
 * (CID 2), or {@link #connect} to ports the guest listens on. Stream sockets only, with credit-based flow control in
 * both directions. Malformed packets are dropped; packets for unknown connections are answered with RST.
 */
public final class VsockDevice extends AbstractVirtioDevice {
    public static final long HOST_CID = 2;
    public static final int RX = 0, TX = 1, EVENT = 2, QUEUE_SIZE = 256;
    static final int BUF_ALLOC = 256 * 1024;
    static final int MAX_PAYLOAD = 64 * 1024;

    private record Key(int localPort, int peerPort) {}

    private final long guestCid;
    private final Map<Integer, Consumer<VsockConnection>> listeners = new HashMap<>();
    private final Map<Key, VsockConnection> connections = new HashMap<>();
    private final ArrayDeque<VsockPacket> rxQueue = new ArrayDeque<>();
    private int nextLocalPort = 49152;

    public VsockDevice(long guestCid) {
        if (guestCid < 3 || guestCid > 0xFFFF_FFFFL) throw new IllegalArgumentException("guest CID must be 3..2^32-1, got " + guestCid);
        this.guestCid = guestCid;
    }

    public long guestCid() { return guestCid; }

    @Override public int deviceType() { return VirtioFeatures.TYPE_VSOCK; }

    @Override public long availableFeatures() { return VirtioFeatures.VERSION_1; }

    @Override public int[] queueMaxSizes() { return new int[] {QUEUE_SIZE, QUEUE_SIZE, QUEUE_SIZE}; }

    @Override
    public void readConfig(long offset, byte[] data) {
        byte[] cfg = new byte[8];
        ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN).putLong(0, guestCid);
        readConfigBytes(cfg, offset, data);
    }

    @Override public void writeConfig(long offset, byte[] data) {}

    /** Accepts guest connections to host port {@code port}; {@code acceptor} runs on its own thread per connection. */
    public synchronized void listen(int port, Consumer<VsockConnection> acceptor) { listeners.put(port, acceptor); }

    /** Connects to {@code guestPort} in the guest; fails if the guest refuses or does not answer in time. */
    public VsockConnection connect(int guestPort, Duration timeout) throws IOException {
        VsockConnection c;
        synchronized (this) {
            if (!isActive()) throw new IOException("vsock device is not active (the guest driver has not started it)");
            int local = nextLocalPort++;
            c = new VsockConnection(this, local, guestPort);
            connections.put(new Key(local, guestPort), c);
            enqueue(c, VsockPacket.OP_REQUEST, 0, new byte[0]);
            pumpRx();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!c.connected && !c.closed) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) break;
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!c.connected) {
                connections.remove(new Key(local, guestPort));
                throw new IOException("guest did not accept a vsock connection to port " + guestPort + (c.closed ? " (refused)" : " (timed out)"));
            }
        }
        return c;
    }

    private void enqueue(VsockConnection c, int op, int flags, byte[] payload) {
        rxQueue.add(new VsockPacket(HOST_CID, guestCid, c.localPort, c.peerPort, VsockPacket.TYPE_STREAM, op, flags,
                BUF_ALLOC, c.fwdCnt(), payload));
        c.lastAdvertisedFwd = c.fwdCnt();
    }

    private void rst(long dstCid, int srcPort, int dstPort) {
        rxQueue.add(new VsockPacket(HOST_CID, dstCid, srcPort, dstPort, VsockPacket.TYPE_STREAM, VsockPacket.OP_RST, 0, 0, 0, new byte[0]));
    }

    synchronized void send(VsockConnection c, byte[] b, int off, int len) throws IOException {
        if (c.closed || c.localShutdown) throw new IOException("vsock connection is closed");
        c.outbound.write(b, off, len);
        flushOutbound(c);
        pumpRx();
    }

    /** Moves outbound bytes into RW packets as far as the guest's credit allows. */
    private void flushOutbound(VsockConnection c) {
        byte[] data = c.outbound.toByteArray();
        int pos = 0;
        while (pos < data.length) {
            long credit = (long) c.peerBufAlloc - (c.txCnt - c.peerFwdCnt);
            if (credit <= 0) break;
            int n = (int) Math.min(Math.min(credit, 4096), data.length - pos);
            enqueue(c, VsockPacket.OP_RW, 0, Arrays.copyOfRange(data, pos, pos + n));
            c.txCnt += n;
            pos += n;
        }
        c.outbound.reset();
        c.outbound.write(data, pos, data.length - pos);
    }

    synchronized void consumed(VsockConnection c) {
        if (c.closed) return;
        if (c.fwdCnt() - c.lastAdvertisedFwd >= BUF_ALLOC / 4) {
            enqueue(c, VsockPacket.OP_CREDIT_UPDATE, 0, new byte[0]);
            pumpRx();
        }
    }

    synchronized void shutdown(VsockConnection c) {
        if (c.closed) return;
        c.localShutdown = true;
        enqueue(c, VsockPacket.OP_SHUTDOWN, VsockPacket.SHUTDOWN_RCV | VsockPacket.SHUTDOWN_SEND, new byte[0]);
        pumpRx();
    }

    @Override
    protected void process(int index) {
        if (index == TX) transmit();
        else if (index == RX) pumpRx();
        // the event queue only carries TRANSPORT_RESET after a snapshot restore: nothing to do on a kick
    }

    @Override
    protected void onReset() {
        for (VsockConnection c : connections.values()) {
            c.closed = true;
            c.markEof();
        }
        connections.clear();
        rxQueue.clear();
    }

    /** Guest-to-host packets. */
    private void transmit() {
        Queue q = queues.get(TX);
        byte[] h = new byte[VsockPacket.HEADER];
        DescriptorChain c;
        while ((c = q.popValid(mem)) != null) {
            if (c.read(0, h, 0, VsockPacket.HEADER)) {
                long len = VsockPacket.payloadLength(h);
                if (len <= MAX_PAYLOAD && len <= c.readableLength() - VsockPacket.HEADER) {
                    byte[] payload = new byte[(int) len];
                    c.read(VsockPacket.HEADER, payload, 0, (int) len);
                    handle(VsockPacket.parseHeader(h, payload));
                }
            }
            q.addUsed(mem, c.head(), 0);
        }
        signalUsed(q);
        pumpRx();
    }

    private void handle(VsockPacket p) {
        if (p.srcCid() != guestCid || p.dstCid() != HOST_CID || p.type() != VsockPacket.TYPE_STREAM) {
            if (p.op() != VsockPacket.OP_RST && p.srcCid() == guestCid) rst(p.srcCid(), p.dstPort(), p.srcPort());
            return;
        }
        Key key = new Key(p.dstPort(), p.srcPort());
        VsockConnection c = connections.get(key);
        if (p.op() == VsockPacket.OP_REQUEST) {
            Consumer<VsockConnection> acceptor = listeners.get(p.dstPort());
            if (c != null || acceptor == null) {
                rst(p.srcCid(), p.dstPort(), p.srcPort());
                return;
            }
            VsockConnection nc = new VsockConnection(this, p.dstPort(), p.srcPort());
            nc.peerBufAlloc = p.bufAlloc();
            nc.peerFwdCnt = p.fwdCnt();
            nc.connected = true;
            connections.put(key, nc);
            enqueue(nc, VsockPacket.OP_RESPONSE, 0, new byte[0]);
            Thread.ofVirtual().name("vsock-accept-" + p.dstPort()).start(() -> acceptor.accept(nc));
            return;
        }
        if (c == null) {
            if (p.op() != VsockPacket.OP_RST) rst(p.srcCid(), p.dstPort(), p.srcPort());
            return;
        }
        c.peerBufAlloc = p.bufAlloc();
        c.peerFwdCnt = p.fwdCnt();
        switch (p.op()) {
            case VsockPacket.OP_RESPONSE -> {
                c.connected = true;
                notifyAll();
            }
            case VsockPacket.OP_RW -> {
                if (c.inboundBytes() + p.payload().length > BUF_ALLOC) {
                    // the guest ignored our credit: the connection cannot be trusted any more
                    close(c, true);
                    return;
                }
                c.deliver(p.payload());
            }
            case VsockPacket.OP_CREDIT_REQUEST -> enqueue(c, VsockPacket.OP_CREDIT_UPDATE, 0, new byte[0]);
            case VsockPacket.OP_SHUTDOWN -> {
                if ((p.flags() & VsockPacket.SHUTDOWN_SEND) != 0) c.markEof();
                if ((p.flags() & (VsockPacket.SHUTDOWN_SEND | VsockPacket.SHUTDOWN_RCV)) == (VsockPacket.SHUTDOWN_SEND | VsockPacket.SHUTDOWN_RCV)) {
                    close(c, true);
                }
            }
            case VsockPacket.OP_RST -> close(c, false);
            default -> { }
        }
        if (!c.closed) flushOutbound(c);
    }

    private void close(VsockConnection c, boolean sendRst) {
        c.closed = true;
        c.markEof();
        connections.remove(new Key(c.localPort, c.peerPort));
        if (sendRst) rst(guestCid, c.localPort, c.peerPort);
        notifyAll();
    }

    /** Host-to-guest packets, as far as the driver has posted receive buffers. */
    private void pumpRx() {
        if (!isActive()) return;
        Queue q = queues.get(RX);
        while (!rxQueue.isEmpty()) {
            DescriptorChain c = q.popValid(mem);
            if (c == null) break;
            VsockPacket p = rxQueue.peek();
            long room = c.writableLength() - VsockPacket.HEADER;
            if (room < 0 || (room == 0 && p.payload().length > 0)) {
                q.addUsed(mem, c.head(), 0); // a buffer too small for anything: return it empty
                continue;
            }
            rxQueue.poll();
            if (p.payload().length > room) {
                rxQueue.addFirst(p.withPayload(Arrays.copyOfRange(p.payload(), (int) room, p.payload().length)));
                p = p.withPayload(Arrays.copyOf(p.payload(), (int) room));
            }
            c.write(0, p.header(), 0, VsockPacket.HEADER);
            c.write(VsockPacket.HEADER, p.payload(), 0, p.payload().length);
            q.addUsed(mem, c.head(), VsockPacket.HEADER + p.payload().length);
        }
        signalUsed(q);
    }

    /** {@return packets waiting for guest receive buffers} */
    public synchronized int pendingRx() { return rxQueue.size(); }
}
