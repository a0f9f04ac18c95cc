package boxd.vmm.devices.virtio.transport;

import boxd.vmm.devices.virtio.block.BlockDevice;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.MemoryBlockBackend;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** Drives the register window the way Linux's virtio_mmio driver does. */
class MmioTransportTest {
    private final HeapGuestMemory mem = HeapGuestMemory.of(256 * 1024);
    private final CountingInterrupt irq = new CountingInterrupt();
    private final BlockDevice dev = new BlockDevice(new MemoryBlockBackend(8192), false, "id");
    private final MmioTransport t = new MmioTransport(dev, mem, irq);

    private int rd(long off) {
        byte[] b = new byte[4];
        t.read(off, b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private void wr(long off, int v) { t.write(off, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array()); }

    @Test
    void linuxStyleHandshakeActivatesTheDevice() {
        assertEquals(MmioTransport.MAGIC, rd(0));
        assertEquals(2, rd(4));
        assertEquals(2, rd(8), "block device id");
        wr(0x70, 0);
        wr(0x70, 1);
        wr(0x70, 3);
        wr(0x14, 1);
        assertEquals(1, rd(0x10) & 1, "VERSION_1 offered");
        wr(0x24, 1);
        wr(0x20, 1);
        wr(0x24, 0);
        wr(0x20, 1 << 9);
        wr(0x70, 11);
        assertEquals(11, rd(0x70), "FEATURES_OK stuck");
        wr(0x30, 0);
        assertEquals(0, rd(0x44), "queue not ready before setup");
        assertEquals(256, rd(0x34));
        VirtqueueDriver drv = new VirtqueueDriver(mem, 0x1000, 128);
        wr(0x38, 128);
        wr(0x80, (int) drv.desc);
        wr(0x84, 0);
        wr(0x90, (int) drv.avail);
        wr(0xA0, (int) drv.used);
        wr(0x44, 1);
        wr(0x70, 15);
        assertTrue(dev.isActive());
        byte[] cap = new byte[8];
        t.read(0x100, cap);
        assertEquals(16, ByteBuffer.wrap(cap).order(ByteOrder.LITTLE_ENDIAN).getLong(), "capacity in sectors");

        // a request through the notify register raises the used-buffer interrupt
        mem.writeU32(0x8000, 4); // FLUSH
        drv.add(new VirtqueueDriver.Buf(0x8000, 16, false), new VirtqueueDriver.Buf(0x9000, 1, true));
        wr(0x50, 0);
        assertEquals(1, rd(0x60) & 1);
        assertTrue(irq.used.get() > 0);
        wr(0x64, 1);
        assertEquals(0, rd(0x60));

        wr(0x70, 0);
        assertFalse(dev.isActive(), "status 0 resets");
        assertEquals(0, rd(0x70));
    }

    @Test
    void refusesFeaturesWithoutVersion1AndWritesInTheWrongState() {
        wr(0x70, 1);
        wr(0x20, 1 << 9); // ignored: DRIVER not set
        wr(0x70, 3);
        wr(0x24, 0);
        wr(0x20, 1 << 9);
        wr(0x70, 11);
        assertEquals(3, rd(0x70), "no VERSION_1, so FEATURES_OK does not stick");
        wr(0x30, 5);
        assertEquals(0, rd(0x34), "queue 5 does not exist");
        wr(0x70, 7); // DRIVER_OK without FEATURES_OK
        assertFalse(dev.isActive());
    }

    @Test
    void queuesOutsideMemoryMarkTheDeviceNeedsReset() {
        wr(0x70, 1);
        wr(0x70, 3);
        wr(0x24, 1);
        wr(0x20, 1);
        wr(0x70, 11);
        wr(0x30, 0);
        wr(0x38, 256);
        wr(0x80, 0x7FFF_0000);
        wr(0x44, 1);
        wr(0x70, 15);
        assertFalse(dev.isActive());
        assertEquals(64, rd(0x70) & 64, "DEVICE_NEEDS_RESET");
        assertEquals(2, rd(0x60) & 2, "config-change interrupt");
    }
}
