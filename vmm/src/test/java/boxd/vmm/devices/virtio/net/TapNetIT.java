package boxd.vmm.devices.virtio.net;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestNetns;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.io.EventLoop;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * virtio-net on a real tap device, moved into a network namespace made by the test (nothing leaves the machine):
 * the "guest" (a driver over heap memory) sends an ARP request for the namespace's address and the kernel's ARP
 * reply comes back through the tap, the epoll loop and the receive queue.
 */
class TapNetIT {
    @Test
    void arpRequestOutReplyIn() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ip", "iproute2");
        String tapName = "bxt" + (ProcessHandle.current().pid() % 100000);
        byte[] mac = {2, 0, 0, 0x0b, 0x0c, 0x0d};
        try (TestNetns ns = TestNetns.create("vmmtap"); Tap tap = new Tap(tapName); EventLoop loop = new EventLoop("tap-it")) {
            Cmd.run("ip", "link", "set", tapName, "netns", ns.name()).requireSuccess();
            ns.exec("ip", "addr", "add", "10.213.0.1/24", "dev", tapName).requireSuccess();
            ns.exec("ip", "link", "set", tapName, "up").requireSuccess();

            HeapGuestMemory mem = HeapGuestMemory.of(1 << 20);
            VirtqueueDriver rx = new VirtqueueDriver(mem, 0x1000, 64);
            VirtqueueDriver tx = new VirtqueueDriver(mem, 0x3000, 64);
            CountingInterrupt irq = new CountingInterrupt();
            NetDevice dev = new NetDevice(tap, mac);
            dev.activate(mem, List.of(rx.configure(new Queue(256)), tx.configure(new Queue(256))), irq);
            long id = loop.add(tap.pollFd(), true, dev::backendReadable);
            for (int i = 0; i < 16; i++) rx.add(new Buf(0x10000 + i * 0x800L, 0x800, true));
            dev.queueNotify(NetDevice.RX);

            ByteBuffer arp = ByteBuffer.allocate(12 + 42);
            arp.position(12);
            arp.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short) 0x0806)
                    .putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                    .put(mac).put(new byte[] {10, (byte) 213, 0, 2}).put(new byte[6]).put(new byte[] {10, (byte) 213, 0, 1});
            mem.write(0x80000, arp.array());
            tx.add(new Buf(0x80000, arp.capacity(), false));
            dev.queueNotify(NetDevice.TX);
            assertEquals(1, dev.txFrames());

            byte[] reply = null;
            for (int i = 0; i < 200 && reply == null; i++) {
                for (long[] u : rx.takeUsed()) {
                    long addr = mem.readU64(rx.desc + 16 * u[0]);
                    byte[] f = mem.read(addr + 12, (int) u[1] - 12);
                    if (f.length >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2) reply = f;
                }
                if (reply == null) Thread.sleep(25);
            }
            assertNotNull(reply, "the namespace's kernel answered the ARP request through the tap");
            assertArrayEquals(mac, java.util.Arrays.copyOfRange(reply, 0, 6), "addressed to the guest's MAC");
            assertArrayEquals(new byte[] {10, (byte) 213, 0, 1}, java.util.Arrays.copyOfRange(reply, 28, 32));
            assertTrue(irq.used.get() > 0);
            loop.remove(id);
        }
    }
}
