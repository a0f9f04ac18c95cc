package boxd.vmm.devices.virtio.net;

import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.FakeNetBackend;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NetDeviceTest {
    private final HeapGuestMemory mem = HeapGuestMemory.of(256 * 1024);
    private final VirtqueueDriver rx = new VirtqueueDriver(mem, 0x1000, 16);
    private final VirtqueueDriver tx = new VirtqueueDriver(mem, 0x2000, 16);
    private final FakeNetBackend backend = new FakeNetBackend();
    private final CountingInterrupt irq = new CountingInterrupt();
    private final NetDevice dev = new NetDevice(backend, new byte[] {2, 0, 0, 0, 0, 9});

    NetDeviceTest() {
        dev.activate(mem, List.of(rx.configure(new Queue(256)), tx.configure(new Queue(256))), irq);
    }

    @Test
    void transmitsFramesWithoutTheVirtioHeader() {
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) frame[i] = (byte) i;
        mem.write(0x10000, new byte[12]);
        mem.write(0x10000 + 12, frame);
        tx.add(new Buf(0x10000, 12, false), new Buf(0x1000C, 60, false));
        dev.queueNotify(NetDevice.TX);
        assertEquals(1, backend.sent.size());
        assertArrayEquals(frame, backend.sent.get(0));
        assertEquals(1, tx.takeUsed().size());
    }

    @Test
    void receivesFramesIntoPostedBuffersAndHoldsThemUntilOneIsPosted() {
        byte[] frame = "an ethernet frame of some length....".getBytes();
        backend.toGuest.add(frame);
        dev.backendReadable();
        assertEquals(0, rx.takeUsed().size(), "no buffer posted yet: the frame waits");
        rx.add(new Buf(0x20000, 1526, true));
        dev.queueNotify(NetDevice.RX);
        List<long[]> used = rx.takeUsed();
        assertEquals(1, used.size());
        assertEquals(12 + frame.length, used.get(0)[1]);
        assertEquals(1, mem.readU16(0x20000 + 10), "num_buffers");
        assertArrayEquals(frame, mem.read(0x20000 + 12, frame.length));
        assertEquals(1, dev.rxFrames());
    }

    @Test
    void aTooSmallReceiveBufferIsReturnedEmpty() {
        backend.toGuest.add(new byte[100]);
        rx.add(new Buf(0x20000, 20, true));
        dev.queueNotify(NetDevice.RX);
        assertEquals(0, rx.takeUsed().get(0)[1]);
        assertEquals(1, dev.rxDropped());
    }

    @Test
    void configSpaceHoldsTheMac() {
        byte[] mac = new byte[6];
        dev.readConfig(0, mac);
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 9}, mac);
    }
}
