package boxd.vmm.memory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GuestMemoryTest {
    @Test
    void layoutLeavesTheMmioGapBelow4GiB() {
        assertEquals(List.of(new MemoryRegion(0, 256L << 20)), MemoryRegion.withMmioGap(256L << 20));
        List<MemoryRegion> big = MemoryRegion.withMmioGap(4L << 30);
        assertEquals(new MemoryRegion(0, 0xC000_0000L), big.get(0));
        assertEquals(new MemoryRegion(1L << 32, (4L << 30) - 0xC000_0000L), big.get(1));
        assertThrows(IllegalArgumentException.class, () -> MemoryRegion.withMmioGap(1000));
    }

    @Test
    void everyAccessIsBoundsChecked() {
        HeapGuestMemory m = new HeapGuestMemory(List.of(new MemoryRegion(0, 4096), new MemoryRegion(8192, 4096)));
        m.writeU64(4088, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, m.readU64(4088));
        assertEquals(0x88, m.readU8(4088), "little-endian");
        assertThrows(GuestMemoryException.class, () -> m.readU64(4090), "straddles the end of a region");
        assertThrows(GuestMemoryException.class, () -> m.readU8(5000), "in the hole");
        assertThrows(GuestMemoryException.class, () -> m.write(-1, new byte[2]));
        assertThrows(GuestMemoryException.class, () -> m.slice(12000, 1000));
        assertThrows(GuestMemoryException.class, () -> m.read(Long.MAX_VALUE - 2, new byte[8], 0, 8), "overflowing address");
        assertTrue(m.isValid(8192, 4096));
        assertFalse(m.isValid(8192, 4097));
        assertEquals(8192, m.size());
    }

    @Test
    void mappedMemoryAnonymousAndMemfd() {
        for (MappedGuestMemory.Backing b : MappedGuestMemory.Backing.values()) {
            try (MappedGuestMemory m = MappedGuestMemory.create(MemoryRegion.withMmioGap(16L << 20), b)) {
                assertNotEquals(0, m.hostAddress(0));
                assertEquals(b == MappedGuestMemory.Backing.MEMFD, m.memfd() >= 0);
                m.writeU32(0x1000, 0xCAFEBABEL);
                assertEquals(0xCAFEBABEL, m.readU32(0x1000));
                m.slice(0x2000, 4).putInt(0, 7);
                assertEquals(7, m.readU32(0x2000));
                assertThrows(GuestMemoryException.class, () -> m.readU8(16L << 20));
            }
        }
    }
}
