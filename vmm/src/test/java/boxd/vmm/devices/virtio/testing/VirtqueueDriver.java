package boxd.vmm.devices.virtio.testing;

import boxd.vmm.devices.virtio.Descriptor;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.memory.GuestMemory;

import java.util.ArrayList;
import java.util.List;

/** The driver side of one split virtqueue in guest memory, as a guest kernel would lay it out. */
public final class VirtqueueDriver {
    public record Buf(long addr, int len, boolean write) {}

    public final GuestMemory mem;
    public final int size;
    public final long desc, avail, used;
    private int nextDesc;
    private int availIdx;
    private int lastUsed;

    public VirtqueueDriver(GuestMemory mem, long base, int size) {
        this.mem = mem;
        this.size = size;
        this.desc = base;
        this.avail = base + 16L * size;
        this.used = (avail + 6 + 2L * size + 3) & ~3L;
    }

    public long end() { return used + 6 + 8L * size; }

    public Queue configure(Queue q) {
        q.size(size);
        q.descTable(desc);
        q.availRing(avail);
        q.usedRing(used);
        q.ready(true);
        return q;
    }

    /** Writes a chain of descriptors and makes it available; returns its head index. */
    public int add(Buf... bufs) {
        int head = nextDesc % size;
        for (int i = 0; i < bufs.length; i++) {
            int idx = (nextDesc + i) % size;
            boolean last = i == bufs.length - 1;
            long d = desc + 16L * idx;
            mem.writeU64(d, bufs[i].addr());
            mem.writeU32(d + 8, bufs[i].len());
            mem.writeU16(d + 12, (last ? 0 : Descriptor.F_NEXT) | (bufs[i].write() ? Descriptor.F_WRITE : 0));
            mem.writeU16(d + 14, (nextDesc + i + 1) % size);
        }
        nextDesc += bufs.length;
        publish(head);
        return head;
    }

    /** Makes descriptor {@code head} available as written by the caller. */
    public void publish(int head) {
        mem.writeU16(avail + 4 + 2L * (availIdx % size), head);
        availIdx = (availIdx + 1) & 0xFFFF;
        mem.writeU16(avail + 2, availIdx);
    }

    /** Used elements (id, len) the device returned since the last call. */
    public List<long[]> takeUsed() {
        List<long[]> out = new ArrayList<>();
        int idx = mem.readU16(used + 2);
        while (lastUsed != idx) {
            long e = used + 4 + 8L * (lastUsed % size);
            out.add(new long[] {mem.readU32(e), mem.readU32(e + 4)});
            lastUsed = (lastUsed + 1) & 0xFFFF;
        }
        return out;
    }
}
