package boxd.vmm.memory;

import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest RAM mmap'd in this process, handed to KVM by host address. Anonymous memory (MAP_PRIVATE|MAP_NORESERVE,
 * pages appear on first touch) or a memfd mapped MAP_SHARED, so a snapshot or a fork can map the same pages later.
 */
public final class MappedGuestMemory extends AbstractGuestMemory {
    public enum Backing { ANONYMOUS, MEMFD }

    private final NativeBuffer[] maps;
    private final long[] hostAddrs;
    private final int memfd;
    private volatile boolean closed;

    private MappedGuestMemory(List<MemoryRegion> regions, NativeBuffer[] maps, long[] hostAddrs, int memfd) {
        super(regions);
        this.maps = maps;
        this.hostAddrs = hostAddrs;
        this.memfd = memfd;
    }

    public static MappedGuestMemory create(List<MemoryRegion> regions, Backing backing) {
        int memfd = -1;
        long total = regions.stream().mapToLong(MemoryRegion::size).sum();
        NativeBuffer[] maps = new NativeBuffer[regions.size()];
        long[] addrs = new long[regions.size()];
        List<long[]> done = new ArrayList<>();
        try {
            if (backing == Backing.MEMFD) {
                memfd = Sys.memfdCreate("boxd-guest-ram", LinuxAbi.MFD_CLOEXEC);
                Sys.ftruncate(memfd, total);
            }
            long fileOff = 0;
            for (int i = 0; i < regions.size(); i++) {
                long size = regions.get(i).size();
                long a = backing == Backing.MEMFD
                        ? Sys.mmap(size, LinuxAbi.PROT_READ | LinuxAbi.PROT_WRITE, LinuxAbi.MAP_SHARED | LinuxAbi.MAP_NORESERVE, memfd, fileOff)
                        : Sys.mmap(size, LinuxAbi.PROT_READ | LinuxAbi.PROT_WRITE,
                                LinuxAbi.MAP_PRIVATE | LinuxAbi.MAP_ANONYMOUS | LinuxAbi.MAP_NORESERVE, -1, 0);
                done.add(new long[] {a, size});
                addrs[i] = a;
                maps[i] = NativeBuffer.wrap(a, size);
                fileOff += size;
            }
            return new MappedGuestMemory(regions, maps, addrs, memfd);
        } catch (RuntimeException e) {
            for (long[] m : done) Sys.munmap(m[0], m[1]);
            Sys.close(memfd);
            throw e;
        }
    }

    /** {@return the host virtual address of region {@code i}, for KVM_SET_USER_MEMORY_REGION} */
    public long hostAddress(int i) { return hostAddrs[i]; }

    /** {@return the memfd backing this memory, or -1 for anonymous memory} */
    public int memfd() { return memfd; }

    @Override int getU8(int r, long off) { return maps[r].getU8(off); }
    @Override int getU16(int r, long off) { return maps[r].getU16(off); }
    @Override long getU32(int r, long off) { return maps[r].getU32(off); }
    @Override long getU64(int r, long off) { return maps[r].getI64(off); }
    @Override void putU8(int r, long off, int v) { maps[r].putU8(off, v); }
    @Override void putU16(int r, long off, int v) { maps[r].putU16(off, v); }
    @Override void putU32(int r, long off, long v) { maps[r].putI32(off, (int) v); }
    @Override void putU64(int r, long off, long v) { maps[r].putI64(off, v); }
    @Override void getBytes(int r, long off, byte[] dst, int dstOff, int len) { maps[r].getBytes(off, dst, dstOff, len); }
    @Override void putBytes(int r, long off, byte[] src, int srcOff, int len) { maps[r].putBytes(off, src, srcOff, len); }
    @Override ByteBuffer view(int r, long off, int len) { return maps[r].byteBuffer(off, len); }

    @Override
    boolean isClosed() { return closed; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < maps.length; i++) Sys.munmap(hostAddrs[i], maps[i].size());
        Sys.close(memfd);
    }
}
