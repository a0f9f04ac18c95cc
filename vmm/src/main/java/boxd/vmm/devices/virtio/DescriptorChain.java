package boxd.vmm.devices.virtio;

import boxd.vmm.memory.GuestMemory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A descriptor chain walked and validated in full before a device acts on it: every index is inside its table, every
 * buffer inside guest memory, no chain visits more descriptors than its table holds (so loops end), indirect tables
 * are not nested, and device-writable buffers come after readable ones. Reads and writes go through the two
 * scatter lists, never past a buffer's end.
 */
public final class DescriptorChain {
    private final GuestMemory mem;
    private final int head;
    private final List<Descriptor> readable;
    private final List<Descriptor> writable;
    private final long readableLength;
    private final long writableLength;

    private DescriptorChain(GuestMemory mem, int head, List<Descriptor> readable, List<Descriptor> writable) {
        this.mem = mem;
        this.head = head;
        this.readable = readable;
        this.writable = writable;
        this.readableLength = readable.stream().mapToLong(Descriptor::len).sum();
        this.writableLength = writable.stream().mapToLong(Descriptor::len).sum();
    }

    /** Walks the chain starting at descriptor {@code head} of a queue whose table is at {@code table} with {@code size} entries. */
    public static DescriptorChain parse(GuestMemory mem, long table, int size, int head) throws InvalidChainException {
        List<Descriptor> readable = new ArrayList<>();
        List<Descriptor> writable = new ArrayList<>();
        long tableAddr = table;
        int tableSize = size;
        boolean indirect = false;
        int visited = 0;
        int idx = head;
        while (true) {
            if (idx < 0 || idx >= tableSize) throw new InvalidChainException(head, "descriptor index " + idx + " outside a table of " + tableSize);
            if (++visited > tableSize) throw new InvalidChainException(head, "chain longer than its table (a loop)");
            long da = tableAddr + 16L * idx;
            if (!mem.isValid(da, 16)) throw new InvalidChainException(head, "descriptor table outside guest memory");
            long addr = mem.readU64(da);
            int len = (int) mem.readU32(da + 8);
            int flags = mem.readU16(da + 12);
            int next = mem.readU16(da + 14);
            if ((flags & Descriptor.F_INDIRECT) != 0) {
                if (indirect) throw new InvalidChainException(head, "nested indirect descriptor table");
                if ((flags & Descriptor.F_NEXT) != 0) throw new InvalidChainException(head, "indirect descriptor with NEXT set");
                long ulen = len & 0xFFFF_FFFFL;
                if (ulen == 0 || ulen % 16 != 0 || ulen / 16 > 32768) {
                    throw new InvalidChainException(head, "indirect table length " + ulen + " is not a positive multiple of 16 up to 32768 entries");
                }
                if (!mem.isValid(addr, ulen)) throw new InvalidChainException(head, "indirect table outside guest memory");
                indirect = true;
                tableAddr = addr;
                tableSize = (int) (ulen / 16);
                visited = 0;
                idx = 0;
                continue;
            }
            if (len < 0) throw new InvalidChainException(head, "buffer length over 2 GiB");
            if (!mem.isValid(addr, len)) throw new InvalidChainException(head, String.format("buffer %#x+%d outside guest memory", addr, len));
            Descriptor d = new Descriptor(addr, len, flags, next);
            if (d.isWrite()) {
                writable.add(d);
            } else {
                if (!writable.isEmpty()) throw new InvalidChainException(head, "readable buffer after a writable one");
                readable.add(d);
            }
            if ((flags & Descriptor.F_NEXT) == 0) break;
            idx = next;
        }
        return new DescriptorChain(mem, head, List.copyOf(readable), List.copyOf(writable));
    }

    public int head() { return head; }
    public List<Descriptor> readable() { return readable; }
    public List<Descriptor> writable() { return writable; }
    public long readableLength() { return readableLength; }
    public long writableLength() { return writableLength; }

    /** Copies {@code len} bytes starting {@code offset} bytes into the readable buffers; false if they are shorter. */
    public boolean read(long offset, byte[] dst, int dstOff, int len) {
        return copy(readable, readableLength, offset, dst, dstOff, len, false);
    }

    /** Copies into the writable buffers starting {@code offset} bytes in; false if they are shorter. */
    public boolean write(long offset, byte[] src, int srcOff, int len) {
        return copy(writable, writableLength, offset, src, srcOff, len, true);
    }

    private boolean copy(List<Descriptor> list, long total, long offset, byte[] buf, int bufOff, int len, boolean toGuest) {
        if (offset < 0 || len < 0 || offset + len > total) return false;
        long skip = offset;
        int done = 0;
        for (Descriptor d : list) {
            if (done == len) break;
            if (skip >= d.len()) {
                skip -= d.len();
                continue;
            }
            int n = (int) Math.min(d.len() - skip, len - done);
            if (toGuest) mem.write(d.addr() + skip, buf, bufOff + done, n);
            else mem.read(d.addr() + skip, buf, bufOff + done, n);
            done += n;
            skip = 0;
        }
        return true;
    }

    /** ByteBuffer views over [offset, offset+len) of the readable or writable buffers, for bulk I/O. */
    public List<ByteBuffer> slices(boolean writableSide, long offset, long len) {
        List<Descriptor> list = writableSide ? writable : readable;
        long total = writableSide ? writableLength : readableLength;
        if (offset < 0 || len < 0 || offset + len > total) throw new IllegalArgumentException("slice outside the chain's buffers");
        List<ByteBuffer> out = new ArrayList<>();
        long skip = offset;
        long left = len;
        for (Descriptor d : list) {
            if (left == 0) break;
            if (skip >= d.len()) {
                skip -= d.len();
                continue;
            }
            int n = (int) Math.min(d.len() - skip, left);
            out.add(mem.slice(d.addr() + skip, n));
            left -= n;
            skip = 0;
        }
        return out;
    }
}
