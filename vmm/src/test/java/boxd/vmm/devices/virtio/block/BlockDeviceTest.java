package boxd.vmm.devices.virtio.block;

import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.MemoryBlockBackend;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BlockDeviceTest {
    private final HeapGuestMemory mem = HeapGuestMemory.of(256 * 1024);
    private final VirtqueueDriver drv = new VirtqueueDriver(mem, 0x1000, 16);
    private final CountingInterrupt irq = new CountingInterrupt();
    private static final long HDR = 0x10000, DATA = 0x11000, STATUS = 0x20000;

    private BlockDevice device(MemoryBlockBackend disk, boolean ro) {
        BlockDevice d = new BlockDevice(disk, ro, "disk-serial-1");
        d.activate(mem, List.of(drv.configure(new Queue(BlockDevice.QUEUE_SIZE))), irq);
        return d;
    }

    private long[] request(BlockDevice d, int type, long sector, int dataLen, boolean deviceWrites) {
        mem.writeU32(HDR, type);
        mem.writeU32(HDR + 4, 0);
        mem.writeU64(HDR + 8, sector);
        mem.writeU8(STATUS, 0xEE);
        if (dataLen > 0) drv.add(new Buf(HDR, 16, false), new Buf(DATA, dataLen, deviceWrites), new Buf(STATUS, 1, true));
        else drv.add(new Buf(HDR, 16, false), new Buf(STATUS, 1, true));
        d.queueNotify(0);
        List<long[]> used = drv.takeUsed();
        assertEquals(1, used.size());
        return used.get(0);
    }

    @Test
    void writesAndReadsSectorsAndReportsCapacity() {
        MemoryBlockBackend disk = new MemoryBlockBackend(64 * 512);
        BlockDevice d = device(disk, false);
        byte[] cfg = new byte[8];
        d.readConfig(0, cfg);
        assertEquals(64, java.nio.ByteBuffer.wrap(cfg).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        for (int i = 0; i < 1024; i++) mem.writeU8(DATA + i, i * 7);
        long[] u = request(d, BlockRequest.T_OUT, 3, 1024, false);
        assertEquals(BlockRequest.S_OK, mem.readU8(STATUS));
        assertEquals(1, u[1], "a write returns only the status byte");
        assertEquals((byte) (5 * 7), disk.data[3 * 512 + 5]);
        for (int i = 0; i < 1024; i++) mem.writeU8(DATA + i, 0);
        u = request(d, BlockRequest.T_IN, 3, 1024, true);
        assertEquals(BlockRequest.S_OK, mem.readU8(STATUS));
        assertEquals(1025, u[1]);
        assertEquals((byte) (1000 * 7), (byte) mem.readU8(DATA + 1000));
        assertTrue(irq.used.get() >= 2);
    }

    @Test
    void flushGetIdReadOnlyAndErrors() {
        MemoryBlockBackend disk = new MemoryBlockBackend(8 * 512);
        BlockDevice d = device(disk, false);
        request(d, BlockRequest.T_FLUSH, 0, 0, false);
        assertEquals(BlockRequest.S_OK, mem.readU8(STATUS));
        assertEquals(1, disk.flushes);
        long[] u = request(d, BlockRequest.T_GET_ID, 0, 20, true);
        assertEquals(BlockRequest.S_OK, mem.readU8(STATUS));
        assertEquals("disk-serial-1", new String(mem.read(DATA, 13)));
        assertEquals(21, u[1]);
        request(d, BlockRequest.T_IN, 7, 1024, true);
        assertEquals(BlockRequest.S_IOERR, mem.readU8(STATUS), "reading past the end");
        request(d, BlockRequest.T_IN, -1, 512, true);
        assertEquals(BlockRequest.S_IOERR, mem.readU8(STATUS), "a huge sector number");
        request(d, BlockRequest.T_IN, 0, 100, true);
        assertEquals(BlockRequest.S_IOERR, mem.readU8(STATUS), "not a whole number of sectors");
        request(d, 77, 0, 0, false);
        assertEquals(BlockRequest.S_UNSUPP, mem.readU8(STATUS), "unknown request type");

        MemoryBlockBackend roDisk = new MemoryBlockBackend(8 * 512);
        VirtqueueDriver drv2 = new VirtqueueDriver(mem, 0x3000, 16);
        BlockDevice ro = new BlockDevice(roDisk, true, "ro");
        ro.activate(mem, List.of(drv2.configure(new Queue(16))), irq);
        assertNotEquals(0, ro.availableFeatures() & BlockDevice.F_RO);
        mem.writeU32(HDR, BlockRequest.T_OUT);
        mem.writeU64(HDR + 8, 0);
        mem.writeU8(DATA, 0x55);
        drv2.add(new Buf(HDR, 16, false), new Buf(DATA, 512, false), new Buf(STATUS, 1, true));
        ro.queueNotify(0);
        assertEquals(1, drv2.takeUsed().size());
        assertEquals(BlockRequest.S_IOERR, mem.readU8(STATUS), "writes to a read-only disk fail");
        assertEquals(0, roDisk.data[0]);
    }

    @Test
    void aChainWithoutStatusByteIsReturnedEmpty() {
        BlockDevice d = device(new MemoryBlockBackend(4096), false);
        mem.writeU32(HDR, BlockRequest.T_IN);
        drv.add(new Buf(HDR, 16, false));
        d.queueNotify(0);
        assertEquals(0, drv.takeUsed().get(0)[1]);
    }

    @Test
    void fileBackendReadsAndWritesTheImage(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("disk.img");
        Files.write(img, new byte[4096]);
        try (FileBlockBackend f = new FileBlockBackend(img, false)) {
            BlockDevice d = new BlockDevice(f, false, "f");
            d.activate(mem, List.of(drv.configure(new Queue(16))), irq);
            mem.write(DATA, "sector-one".getBytes());
            request(d, BlockRequest.T_OUT, 1, 512, false);
            assertEquals(BlockRequest.S_OK, mem.readU8(STATUS));
            request(d, BlockRequest.T_FLUSH, 0, 0, false);
        }
        assertEquals("sector-one", new String(Files.readAllBytes(img), 512, 10));
    }
}
