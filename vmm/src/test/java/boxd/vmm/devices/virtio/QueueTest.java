package boxd.vmm.devices.virtio;

import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class QueueTest {
    private final HeapGuestMemory mem = HeapGuestMemory.of(64 * 1024);
    private final VirtqueueDriver drv = new VirtqueueDriver(mem, 0x1000, 8);
    private final Queue q = drv.configure(new Queue(8));

    @Test
    void popsChainsInOrderAndSplitsReadableFromWritable() throws Exception {
        assertTrue(q.isValid(mem));
        assertNull(q.pop(mem), "nothing available yet");
        int h = drv.add(new Buf(0x4000, 16, false), new Buf(0x5000, 512, true), new Buf(0x6000, 1, true));
        DescriptorChain c = q.pop(mem);
        assertEquals(h, c.head());
        assertEquals(16, c.readableLength());
        assertEquals(513, c.writableLength());
        byte[] data = "hello".getBytes();
        assertTrue(c.write(510, data, 0, 3), "a write may span two buffers");
        assertEquals('h', mem.readU8(0x5000 + 510));
        assertEquals('l', mem.readU8(0x6000));
        assertFalse(c.write(512, data, 0, 2), "writes past the last buffer are refused");
        q.addUsed(mem, c.head(), 7);
        assertEquals(List.of(h, 7L), List.of((int) drv.takeUsed().get(0)[0], 7L));
    }

    @Test
    void rejectsLoopsBadIndexesAndBuffersOutsideMemory() {
        // descriptor 0 -> 1 -> 0 ...
        mem.writeU64(drv.desc, 0x4000);
        mem.writeU32(drv.desc + 8, 4);
        mem.writeU16(drv.desc + 12, Descriptor.F_NEXT);
        mem.writeU16(drv.desc + 14, 1);
        mem.writeU64(drv.desc + 16, 0x4000);
        mem.writeU32(drv.desc + 24, 4);
        mem.writeU16(drv.desc + 28, Descriptor.F_NEXT);
        mem.writeU16(drv.desc + 30, 0);
        drv.publish(0);
        InvalidChainException loop = assertThrows(InvalidChainException.class, () -> q.pop(mem));
        assertTrue(loop.getMessage().contains("loop"), loop.getMessage());
        assertEquals(0, loop.head());

        drv.publish(9);
        assertThrows(InvalidChainException.class, () -> q.pop(mem), "head index beyond the table");

        mem.writeU64(drv.desc + 32, 0xFFFF_0000L);
        mem.writeU32(drv.desc + 40, 16);
        mem.writeU16(drv.desc + 44, 0);
        drv.publish(2);
        assertThrows(InvalidChainException.class, () -> q.pop(mem), "buffer outside guest memory");
    }

    @Test
    void followsOneIndirectTableButNotNestedOnes() throws Exception {
        long table = 0x8000;
        mem.writeU64(table, 0x4000);
        mem.writeU32(table + 8, 16);
        mem.writeU16(table + 12, Descriptor.F_NEXT);
        mem.writeU16(table + 14, 1);
        mem.writeU64(table + 16, 0x5000);
        mem.writeU32(table + 24, 100);
        mem.writeU16(table + 28, Descriptor.F_WRITE);
        mem.writeU64(drv.desc, table);
        mem.writeU32(drv.desc + 8, 32);
        mem.writeU16(drv.desc + 12, Descriptor.F_INDIRECT);
        drv.publish(0);
        DescriptorChain c = q.pop(mem);
        assertEquals(16, c.readableLength());
        assertEquals(100, c.writableLength());

        mem.writeU16(table + 28, Descriptor.F_INDIRECT);
        mem.writeU64(table + 16, table);
        mem.writeU32(table + 24, 32);
        drv.publish(0);
        assertThrows(InvalidChainException.class, () -> q.pop(mem), "nested indirect");
    }

    @Test
    void readableAfterWritableIsRejected() {
        drv.add(new Buf(0x5000, 8, true), new Buf(0x4000, 8, false));
        assertThrows(InvalidChainException.class, () -> q.pop(mem));
    }

    @Test
    void anAvailIndexTooFarAheadBreaksTheQueueInsteadOfLooping() throws Exception {
        mem.writeU16(drv.avail + 2, 200);
        assertNull(q.pop(mem));
        assertTrue(q.broken());
    }

    @Test
    void ringsOutsideMemoryOrMisalignedMakeTheQueueInvalid() {
        Queue bad = new Queue(8);
        bad.size(8);
        bad.descTable(64 * 1024 - 16);
        bad.availRing(0x100);
        bad.usedRing(0x200);
        bad.ready(true);
        assertFalse(bad.isValid(mem));
        bad.descTable(0x1001);
        assertFalse(bad.isValid(mem));
        bad.descTable(0x1000);
        bad.size(6);
        assertFalse(bad.isValid(mem), "size must be a power of two");
    }
}
