package boxd.vmm.devices.virtio;

import boxd.vmm.devices.virtio.block.BlockDevice;
import boxd.vmm.devices.virtio.block.BlockRequest;
import boxd.vmm.devices.virtio.net.NetDevice;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.FakeNetBackend;
import boxd.vmm.devices.virtio.testing.MemoryBlockBackend;
import boxd.vmm.devices.virtio.testing.TracingGuestMemory;
import boxd.vmm.devices.virtio.vsock.VsockDevice;
import boxd.vmm.memory.GuestMemory;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile guest: random descriptor tables, indirect tables, ring indexes, lengths, flags and request headers,
 * 100,000+ chains through the block, net and vsock devices. Nothing may throw, no access may leave guest memory,
 * every write must land in the used ring or in a buffer the guest marked device-writable, and a block request that
 * the device answers gets the status the spec asks for.
 */
class MaliciousChainTest {
    private static final int MEM = 16 * 1024;
    private static final int QSIZE = 16;
    private static final long DESC = 0x1000, AVAIL = 0x1100, USED = 0x1200;
    private static final int ITERATIONS = 100_000;

    private final Random rnd = new Random(0xB0CD);

    private long address() {
        return switch (rnd.nextInt(10)) {
            case 0 -> rnd.nextLong();
            case 1 -> MEM - rnd.nextInt(32);
            case 2 -> 0xFFFF_FFFF_FFFF_F000L + rnd.nextInt(4096);
            case 3 -> DESC + rnd.nextInt(0x300); // aim at the rings themselves
            default -> 0x2000 + rnd.nextInt(MEM - 0x2000);
        };
    }

    private int length() {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt();
            case 1 -> 0;
            case 2 -> 16 * (1 + rnd.nextInt(8));
            case 3 -> 1;
            default -> rnd.nextInt(2048);
        };
    }

    private int flags() {
        int f = 0;
        if (rnd.nextInt(3) > 0) f |= Descriptor.F_NEXT;
        if (rnd.nextBoolean()) f |= Descriptor.F_WRITE;
        if (rnd.nextInt(6) == 0) f |= Descriptor.F_INDIRECT;
        if (rnd.nextInt(20) == 0) f |= rnd.nextInt(0x10000);
        return f;
    }

    private void randomTable(GuestMemory mem, long table, int entries) {
        for (int i = 0; i < entries; i++) {
            long d = table + 16L * i;
            if (!mem.isValid(d, 16)) return;
            mem.writeU64(d, address());
            mem.writeU32(d + 8, length());
            mem.writeU16(d + 12, flags());
            mem.writeU16(d + 14, rnd.nextInt(8) == 0 ? rnd.nextInt(0x10000) : rnd.nextInt(QSIZE + 2));
        }
    }

    /** Device-writable ranges reachable by any descriptor (direct or one level of indirect) in the table. */
    private static List<long[]> writableRanges(GuestMemory mem) {
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {USED, 6 + 8L * QSIZE});
        for (int i = 0; i < QSIZE; i++) {
            long d = DESC + 16L * i;
            long addr = mem.readU64(d);
            long len = mem.readU32(d + 8);
            int flags = mem.readU16(d + 12);
            if ((flags & Descriptor.F_INDIRECT) != 0 && mem.isValid(addr, len)) {
                for (long j = 0; j < len / 16; j++) {
                    long id = addr + 16 * j;
                    if ((mem.readU16(id + 12) & Descriptor.F_WRITE) != 0) out.add(new long[] {mem.readU64(id), mem.readU32(id + 8)});
                }
            } else if ((flags & Descriptor.F_WRITE) != 0) {
                out.add(new long[] {addr, len});
            }
        }
        return out;
    }

    private static boolean inside(long[] w, List<long[]> ranges) {
        for (long[] r : ranges) {
            if (w[0] >= r[0] && w[0] - r[0] <= r[1] - w[1]) return true;
        }
        return false;
    }

    @Test
    void randomChainsNeverEscapeGuestMemoryOrThrow() {
        int blockAnswered = 0, malformed = 0;
        byte[] noise = new byte[MEM];
        rnd.nextBytes(noise);
        BlockDevice rw = new BlockDevice(new MemoryBlockBackend(8 * 512), false, "fuzz");
        BlockDevice roDisk = new BlockDevice(new MemoryBlockBackend(8 * 512), true, "fuzz-ro");
        FakeNetBackend netBackend = new FakeNetBackend();
        NetDevice net = new NetDevice(netBackend, new byte[6]);
        VsockDevice vsock = new VsockDevice(3);
        vsock.listen(1, c -> { });
        for (int it = 0; it < ITERATIONS; it++) {
            HeapGuestMemory heap = HeapGuestMemory.of(MEM);
            // random data everywhere (headers, payloads), varied each round, then a random descriptor table and
            // extra tables for indirection
            for (int k = 0; k < 64; k++) {
                int at = rnd.nextInt(MEM - 8);
                long v = rnd.nextLong();
                for (int b = 0; b < 8; b++) noise[at + b] = (byte) (v >>> (8 * b));
            }
            heap.write(0, noise);
            randomTable(heap, DESC, QSIZE);
            for (int k = 0; k < 2; k++) randomTable(heap, 0x2000 + rnd.nextInt(MEM - 0x2100) & ~15, 1 + rnd.nextInt(8));
            heap.writeU16(AVAIL, rnd.nextInt(2));
            int head = rnd.nextInt(10) == 0 ? rnd.nextInt(0x10000) : rnd.nextInt(QSIZE);
            heap.writeU16(AVAIL + 4, head);
            heap.writeU16(AVAIL + 2, rnd.nextInt(50) == 0 ? rnd.nextInt(0x10000) : 1);
            heap.writeU16(USED + 2, 0);
            // a hostile guest can point block headers at any type; bias towards the real ones
            List<long[]> allowed = writableRanges(heap);
            HeapGuestMemory before = HeapGuestMemory.of(MEM);
            if (it % 5 <= 1) before.write(0, heap.read(0, MEM));
            TracingGuestMemory mem = new TracingGuestMemory(heap);

            Queue[] qs = new Queue[3];
            for (int i = 0; i < 3; i++) {
                qs[i] = new Queue(QSIZE);
                qs[i].size(QSIZE);
                qs[i].descTable(DESC);
                qs[i].availRing(AVAIL);
                qs[i].usedRing(USED);
                qs[i].ready(true);
            }
            int which = it % 5;
            boolean ro = rnd.nextInt(4) == 0;
            try {
                switch (which) {
                    case 0, 1 -> {
                        BlockDevice d = ro ? roDisk : rw;
                        d.reset();
                        d.activate(mem, List.of(qs[0]), new CountingInterrupt());
                        d.queueNotify(0);
                    }
                    case 2 -> {
                        net.reset();
                        net.activate(mem, List.of(qs[0], qs[1]), new CountingInterrupt());
                        net.queueNotify(NetDevice.TX);
                    }
                    case 3 -> {
                        netBackend.toGuest.clear();
                        netBackend.toGuest.add(new byte[rnd.nextInt(1600)]);
                        net.reset();
                        net.activate(mem, List.of(qs[0], qs[1]), new CountingInterrupt());
                        net.queueNotify(NetDevice.RX);
                    }
                    default -> {
                        vsock.reset();
                        vsock.activate(mem, List.of(qs[0], qs[1], qs[2]), new CountingInterrupt());
                        vsock.queueNotify(VsockDevice.TX);
                        vsock.queueNotify(VsockDevice.RX);
                    }
                }
            } catch (RuntimeException e) {
                fail("iteration " + it + " (device " + which + "): an exception escaped the device: " + e, e);
            }
            assertEquals(0, mem.outOfBounds, "iteration " + it + ": access outside guest memory");
            for (long[] w : mem.writes) {
                assertTrue(inside(w, allowed), String.format("iteration %d (device %d): write %#x+%d outside the used ring and writable buffers",
                        it, which, w[0], w[1]));
            }
            if (which <= 1 && heap.readU16(USED + 2) == 1) {
                long len = heap.readU32(USED + 8);
                int usedHead = (int) heap.readU32(USED + 4);
                assertEquals(head, usedHead, "the used element names the chain's head");
                DescriptorChain chain;
                try {
                    chain = DescriptorChain.parse(before, DESC, QSIZE, head);
                } catch (InvalidChainException e) {
                    assertEquals(0, len, "a malformed chain is returned with length 0");
                    malformed++;
                    continue;
                }
                if (chain.writableLength() == 0) {
                    assertEquals(0, len);
                    continue;
                }
                blockAnswered++;
                assertTrue(len >= 1, "a request with a status byte gets a status");
                // the status byte is the last writable byte: find where it lives
                long off = chain.writableLength() - 1;
                long statusAddr = -1;
                for (Descriptor d : chain.writable()) {
                    if (off < d.len()) {
                        statusAddr = d.addr() + off;
                        break;
                    }
                    off -= d.len();
                }
                // a status byte inside the used ring is overwritten by the used element itself: nothing to check
                if (statusAddr >= USED && statusAddr < USED + 6 + 8L * QSIZE) continue;
                int status = heap.readU8(statusAddr);
                assertTrue(status <= 2, "status is OK, IOERR or UNSUPP, got " + status);
                byte[] h = new byte[16];
                if (!chain.read(0, h, 0, 16)) {
                    assertEquals(BlockRequest.S_IOERR, status, "a short header is an I/O error");
                    continue;
                }
                int type = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (type != 0 && type != 1 && type != 4 && type != 8) assertEquals(BlockRequest.S_UNSUPP, status, "unknown type " + type);
                if (type == BlockRequest.T_OUT && ro) assertEquals(BlockRequest.S_IOERR, status, "write to a read-only disk");
            }
        }
        assertTrue(blockAnswered > 500, "enough well-formed block requests were exercised: " + blockAnswered);
        assertTrue(malformed > 500, "enough malformed chains were exercised: " + malformed);
    }
}
