package boxd.vmm.devices.virtio.vsock;

import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Plays the guest's vsock driver against the device through real rings. */
class VsockDeviceTest {
    private static final long CID = 42;
    private final HeapGuestMemory mem = HeapGuestMemory.of(1024 * 1024);
    private final VirtqueueDriver rx = new VirtqueueDriver(mem, 0x1000, 64);
    private final VirtqueueDriver tx = new VirtqueueDriver(mem, 0x3000, 64);
    private final VirtqueueDriver ev = new VirtqueueDriver(mem, 0x5000, 64);
    private final VsockDevice dev = new VsockDevice(CID);
    private long nextTxBuf = 0x40000;
    private long nextRxBuf = 0x80000;

    VsockDeviceTest() {
        dev.activate(mem, List.of(rx.configure(new Queue(256)), tx.configure(new Queue(256)), ev.configure(new Queue(256))),
                new CountingInterrupt());
    }

    private void guestSends(int srcPort, int dstPort, int op, int flags, byte[] payload) {
        VsockPacket p = new VsockPacket(CID, VsockDevice.HOST_CID, srcPort, dstPort, VsockPacket.TYPE_STREAM, op, flags,
                65536, 0, payload);
        long a = nextTxBuf;
        nextTxBuf += 0x2000;
        mem.write(a, p.header());
        mem.write(a + 44, payload);
        tx.add(new Buf(a, 44, false), new Buf(a + 44, payload.length, false));
        dev.queueNotify(VsockDevice.TX);
    }

    private void postRxBuffers(int n) {
        for (int i = 0; i < n; i++) {
            rx.add(new Buf(nextRxBuf, 44 + 4096, true));
            nextRxBuf += 0x2000;
        }
        dev.queueNotify(VsockDevice.RX);
    }

    private List<VsockPacket> guestReceives() {
        List<VsockPacket> out = new ArrayList<>();
        for (long[] u : rx.takeUsed()) {
            long d = rx.desc + 16 * u[0];
            long addr = mem.readU64(d);
            byte[] h = mem.read(addr, 44);
            int len = (int) VsockPacket.payloadLength(h);
            out.add(VsockPacket.parseHeader(h, mem.read(addr + 44, len)));
        }
        return out;
    }

    @Test
    void guestConnectsToAHostListenerAndDataFlowsBothWays() throws Exception {
        CompletableFuture<VsockConnection> accepted = new CompletableFuture<>();
        dev.listen(5000, accepted::complete);
        postRxBuffers(8);
        guestSends(1234, 5000, VsockPacket.OP_REQUEST, 0, new byte[0]);
        VsockConnection c = accepted.get(5, TimeUnit.SECONDS);
        List<VsockPacket> got = guestReceives();
        assertEquals(VsockPacket.OP_RESPONSE, got.get(0).op());
        assertEquals(CID, got.get(0).dstCid());
        assertEquals(1234, got.get(0).dstPort());

        guestSends(1234, 5000, VsockPacket.OP_RW, 0, "hello host".getBytes());
        byte[] buf = new byte[64];
        int n = c.read(buf, 0, buf.length, 5000);
        assertEquals("hello host", new String(buf, 0, n));

        c.output().write("hello guest".getBytes());
        got = guestReceives();
        assertEquals(VsockPacket.OP_RW, got.get(0).op());
        assertEquals("hello guest", new String(got.get(0).payload()));

        guestSends(1234, 5000, VsockPacket.OP_SHUTDOWN, 3, new byte[0]);
        assertEquals(-1, c.read(buf, 0, 1, 1000), "end of stream after the guest shut down");
        assertEquals(VsockPacket.OP_RST, guestReceives().get(0).op());
    }

    @Test
    void hostWritesWaitForGuestCredit() throws Exception {
        CompletableFuture<VsockConnection> accepted = new CompletableFuture<>();
        dev.listen(6000, accepted::complete);
        postRxBuffers(16);
        VsockPacket req = new VsockPacket(CID, 2, 7, 6000, 1, VsockPacket.OP_REQUEST, 0, 1000, 0, new byte[0]);
        mem.write(0x30000, req.header());
        tx.add(new Buf(0x30000, 44, false));
        dev.queueNotify(VsockDevice.TX);
        VsockConnection c = accepted.get(5, TimeUnit.SECONDS);
        guestReceives();
        c.output().write(new byte[3000]);
        int total = 0;
        for (VsockPacket p : guestReceives()) total += p.payload().length;
        assertEquals(1000, total, "only as much as the guest's buf_alloc");
        VsockPacket credit = new VsockPacket(CID, 2, 7, 6000, 1, VsockPacket.OP_CREDIT_UPDATE, 0, 1000, 1000, new byte[0]);
        mem.write(0x31000, credit.header());
        tx.add(new Buf(0x31000, 44, false));
        dev.queueNotify(VsockDevice.TX);
        total = 0;
        for (VsockPacket p : guestReceives()) total += p.payload().length;
        assertEquals(1000, total, "the next 1000 bytes after the guest consumed the first");
    }

    @Test
    void hostConnectsToAGuestPort() throws Exception {
        postRxBuffers(4);
        CompletableFuture<VsockConnection> conn = CompletableFuture.supplyAsync(() -> {
            try {
                return dev.connect(22, Duration.ofSeconds(5));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        VsockPacket req = null;
        for (int i = 0; i < 100 && req == null; i++) {
            List<VsockPacket> got = guestReceives();
            if (!got.isEmpty()) req = got.get(0);
            else Thread.sleep(20);
        }
        assertNotNull(req);
        assertEquals(VsockPacket.OP_REQUEST, req.op());
        assertEquals(22, req.dstPort());
        guestSends(22, req.srcPort(), VsockPacket.OP_RESPONSE, 0, new byte[0]);
        VsockConnection c = conn.get(5, TimeUnit.SECONDS);
        assertEquals(22, c.peerPort());
    }

    @Test
    void connectionsToUnknownPortsAreReset() {
        postRxBuffers(2);
        guestSends(99, 7777, VsockPacket.OP_REQUEST, 0, new byte[0]);
        List<VsockPacket> got = guestReceives();
        assertEquals(VsockPacket.OP_RST, got.get(0).op());
        assertEquals(99, got.get(0).dstPort());
    }

    @Test
    void rejectsReservedCids() {
        assertThrows(IllegalArgumentException.class, () -> new VsockDevice(2));
    }
}
