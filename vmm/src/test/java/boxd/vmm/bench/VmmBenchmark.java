package boxd.vmm.bench;

import boxd.vmm.Vm;
import boxd.vmm.VmmBuilder;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.devices.BusDevice;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.block.BlockBackend;
import boxd.vmm.devices.virtio.block.BlockDevice;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.vmm.devices.virtio.block.FileBlockBackend;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.io.EventLoop;
import boxd.vmm.kvm.KvmKind;
import boxd.vmm.memory.MappedGuestMemory;
import boxd.vmm.memory.MemoryRegion;
import boxd.vmm.testing.GuestProgram;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/vmm: start-to-first-guest-instruction time, VMM memory overhead per idle VM, and virtio-blk throughput
 * through the device model over a raw file and over a copy-on-write disk, each labelled with the host's KVM kind. Run by bench/vmm/run.sh (not by CI:
 * the name does not end in Test).
 */
class VmmBenchmark {
    private final String kind = KvmKind.detect().label();

    @Test
    void run() throws Exception {
        Path dir = Files.createTempDirectory("boxd-vmm-bench");
        try {
            System.out.println("== boxd vmm benchmark; KVM kind: " + kind + " ==");
            blockThroughput(dir);
            if (KvmKind.detect() == KvmKind.NONE) {
                System.out.println("start-to-first-instruction: skipped (no /dev/kvm on this host)");
                System.out.println("memory overhead per VM: skipped (no /dev/kvm on this host)");
            } else {
                startToFirstInstruction(dir);
                memoryOverhead(dir, Integer.getInteger("bench.vms", 20));
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Sequential 128 KiB requests through BlockDevice, guest memory mmap'd as for a real VM: over a raw file, then over a
     * copy-on-write disk (a fresh overlay over a base full of data): read through to the base, first write (allocates
     * clusters; whole ones, so no copy-up), rewrite, read back; then 4 KiB writes one per 64 KiB cluster into a fresh
     * overlay, each a copy-up, against the same on the raw file.
     */
    private void blockThroughput(Path dir) throws IOException {
        long total = Long.getLong("bench.blockMiB", 512L) << 20;
        int req = 128 * 1024;
        int cluster = Integer.getInteger("bench.cowClusterKiB", CowBlockBackend.DEFAULT_CLUSTER_SIZE / 1024) * 1024;
        // the images on tmpfs when there is one, so the figure is the device model's cost and not this host's disk
        Path shm = Path.of("/dev/shm");
        boolean tmpfs = Files.isDirectory(shm) && Files.isWritable(shm);
        Path where = tmpfs ? Files.createTempDirectory(shm, "boxd-bench") : dir;
        String on = tmpfs ? "tmpfs" : "disk";
        try (MappedGuestMemory mem = MappedGuestMemory.create(MemoryRegion.withMmioGap(256L << 20), MappedGuestMemory.Backing.ANONYMOUS)) {
            // a warm-up pass (JIT, classes) so that the first figure is not the only one paying for it
            Path warm = where.resolve("warm.img");
            try (RandomAccessFile f = new RandomAccessFile(warm.toFile(), "rw")) {
                f.setLength(64L << 20);
            }
            try (FileBlockBackend raw = new FileBlockBackend(warm, false)) {
                Rig rig = new Rig(mem, raw);
                for (int i = 0; i < 3; i++) {
                    rig.sequential(true, 64L << 20, req);
                    rig.sequential(false, 64L << 20, req);
                    rig.strided(16L << 20, 64 * 1024);
                }
            }
            Files.delete(warm);
            Path img = where.resolve("disk.img");
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(total);
            }
            try (FileBlockBackend raw = new FileBlockBackend(img, false)) {
                Rig rig = new Rig(mem, raw);
                report("virtio-blk sequential write", "raw file", req, total, on, rig.sequential(true, total, req));
                report("virtio-blk sequential read", "raw file", req, total, on, rig.sequential(false, total, req));
                long span = Math.min(total, 128L << 20);
                report("virtio-blk 4 KiB write per 64 KiB", "raw file", 4096, span, on, rig.strided(span, 64 * 1024));
            }
            Files.delete(img);

            Path base = where.resolve("base.img");
            try (FileChannel b = FileChannel.open(base, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                new java.util.Random(1).nextBytes(chunk.array());
                for (long pos = 0; pos < total; pos += chunk.capacity()) b.write(chunk.clear(), pos);
            }
            try (CowBlockBackend cow = CowBlockBackend.create(where.resolve("disk.cow"), base, total, cluster)) {
                Rig rig = new Rig(mem, cow);
                report("virtio-blk sequential read, fresh overlay (from the base)", cow(cluster), req, total, on,
                        rig.sequential(false, total, req));
                report("virtio-blk sequential first write (allocating)", cow(cluster), req, total, on, rig.sequential(true, total, req));
                report("virtio-blk sequential rewrite", cow(cluster), req, total, on, rig.sequential(true, total, req));
                report("virtio-blk sequential read (from the overlay)", cow(cluster), req, total, on, rig.sequential(false, total, req));
            }
            try (CowBlockBackend cow = CowBlockBackend.create(where.resolve("fresh.cow"), base, total, cluster)) {
                long span = Math.min(total, 128L << 20);
                report("virtio-blk 4 KiB write per 64 KiB (into untouched clusters: a copy-up where clusters are larger)", cow(cluster), 4096, span, on,
                        new Rig(mem, cow).strided(span, 64 * 1024));
            }
        } finally {
            if (tmpfs) {
                try (var s = Files.walk(where)) {
                    s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static String cow(int cluster) {
        return "copy-on-write, " + cluster / 1024 + " KiB clusters";
    }

    private void report(String what, String backend, int req, long total, String on, double[] result) {
        System.out.printf("%s (%s, %d KiB requests, %d MiB, image on %s): %.0f MiB/s, %.0f requests/s [%s host]%n",
                what, backend, req / 1024, total >> 20, on, result[0], result[1], kind);
    }

    /** One BlockDevice with a 256-entry queue over a backend, driven as a guest driver would. */
    private static final class Rig {
        static final long HEADERS = 0x40000, DATA = 0x100000;
        final MappedGuestMemory mem;
        final BlockDevice dev;
        final VirtqueueDriver drv;

        Rig(MappedGuestMemory mem, BlockBackend backend) {
            this.mem = mem;
            this.dev = new BlockDevice(backend, false, "bench");
            this.drv = new VirtqueueDriver(mem, 0x10000, 256);
            dev.activate(mem, List.of(drv.configure(new Queue(256))), new CountingInterrupt());
        }

        /** {@return MiB/s and requests/s} of {@code total} bytes in {@code req}-byte requests, writes ending in a FLUSH */
        double[] sequential(boolean write, long total, int req) {
            return run(write, total, req, req);
        }

        /** {@return MiB/s (of the bytes written) and requests/s} of 4 KiB writes, one every {@code stride} bytes */
        double[] strided(long span, int stride) {
            return run(true, span, 4096, stride);
        }

        private double[] run(boolean write, long span, int req, int stride) {
            int perBatch = 256 / 3;
            for (int i = 0; i < perBatch; i++) mem.write(DATA + (long) i * req, new byte[req]);
            long t0 = System.nanoTime(), requests = 0, bytes = 0;
            long pos = 0;
            while (pos < span) {
                int n = 0;
                for (; n < perBatch && pos < span; n++) {
                    long hdr = HEADERS + n * 32L;
                    mem.writeU32(hdr, write ? 1 : 0);
                    mem.writeU64(hdr + 8, pos / 512);
                    drv.add(new Buf(hdr, 16, false), new Buf(DATA + (long) n * req, req, !write), new Buf(hdr + 16, 1, true));
                    pos += stride;
                }
                dev.queueNotify(0);
                if (drv.takeUsed().size() != n) throw new IllegalStateException("requests lost");
                for (int i = 0; i < n; i++) {
                    if (mem.readU8(HEADERS + i * 32L + 16) != 0) throw new IllegalStateException("a request failed");
                }
                requests += n;
                bytes += (long) n * req;
            }
            if (write) {
                mem.writeU32(HEADERS, 4);
                drv.add(new Buf(HEADERS, 16, false), new Buf(HEADERS + 16, 1, true));
                dev.queueNotify(0);
                drv.takeUsed();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new double[] {(bytes / (double) (1 << 20)) / secs, requests / secs};
        }
    }

    private static final String FIRST = """
            static void guest_main(void) { outb(0x511, 1); for (;;) __asm__ volatile("cli; hlt"); }
            """;

    private static final class FirstOut implements BusDevice {
        final AtomicLong at = new AtomicLong();
        final CountDownLatch hit = new CountDownLatch(1);
        @Override public void read(long offset, byte[] data) { }
        @Override public void write(long offset, byte[] data) {
            at.compareAndSet(0, System.nanoTime());
            hit.countDown();
        }
    }

    private void startToFirstInstruction(Path dir) throws Exception {
        Path elf = GuestProgram.build(dir, "first", FIRST);
        int runs = 10;
        long[] fromBuild = new long[runs], fromStart = new long[runs];
        for (int i = 0; i < runs; i++) {
            FirstOut probe = new FirstOut();
            long t0 = System.nanoTime();
            VmConfig cfg = VmConfig.of("bench", new MachineConfig(1, 128L << 20, false), new BootConfig(elf, null, ""));
            try (Vm vm = new VmmBuilder(cfg).pioDevice(0x511, 1, probe).build()) {
                long t1 = System.nanoTime();
                vm.start();
                if (!probe.hit.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("guest never ran");
                fromBuild[i] = probe.at.get() - t0;
                fromStart[i] = probe.at.get() - t1;
            }
        }
        Arrays.sort(fromBuild);
        Arrays.sort(fromStart);
        System.out.printf("start to first guest instruction (build VM + start, median of %d): %.2f ms; from start() alone: %.2f ms [%s]%n",
                runs, fromBuild[runs / 2] / 1e6, fromStart[runs / 2] / 1e6, kind);
    }

    private static long rssKiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /** Rss (KiB) of the mapping starting at {@code addr}, from /proc/self/smaps. */
    private static long mappingRssKiB(List<String> smaps, long addr) {
        String prefix = Long.toHexString(addr) + "-";
        for (int i = 0; i < smaps.size(); i++) {
            if (smaps.get(i).startsWith(prefix)) {
                for (int j = i + 1; j < smaps.size() && j < i + 30; j++) {
                    if (smaps.get(j).startsWith("Rss:")) return Long.parseLong(smaps.get(j).replaceAll("[^0-9]", ""));
                }
            }
        }
        return 0;
    }

    private void memoryOverhead(Path dir, int n) throws Exception {
        Path elf = GuestProgram.build(dir, "idle", FIRST);
        List<Vm> vms = new ArrayList<>();
        try (EventLoop shared = new EventLoop("bench-io")) {
            // one VM first so classes, JIT and JNA are loaded before the baseline
            FirstOut warm = new FirstOut();
            try (Vm w = new VmmBuilder(VmConfig.of("warm", new MachineConfig(1, 128L << 20, false), new BootConfig(elf, null, "")))
                    .eventLoop(shared).pioDevice(0x511, 1, warm).build()) {
                w.start();
                warm.hit.await(30, TimeUnit.SECONDS);
            }
            System.gc();
            Thread.sleep(500);
            long before = rssKiB();
            try {
                for (int i = 0; i < n; i++) {
                    FirstOut probe = new FirstOut();
                    Vm vm = new VmmBuilder(VmConfig.of("idle" + i, new MachineConfig(1, 128L << 20, false), new BootConfig(elf, null, "")))
                            .eventLoop(shared).pioDevice(0x511, 1, probe).build();
                    vms.add(vm);
                    vm.start();
                    if (!probe.hit.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("guest " + i + " never ran");
                }
                Thread.sleep(500);
                long after = rssKiB();
                List<String> smaps = Files.readAllLines(Path.of("/proc/self/smaps"));
                long touched = 0;
                for (Vm vm : vms) touched += mappingRssKiB(smaps, ((MappedGuestMemory) vm.memory()).hostAddress(0));
                double per = (after - before - touched) / 1024.0 / n;
                System.out.printf("VMM memory overhead per idle VM (%d VMs x 1 vCPU / 128 MiB in one JVM): %.2f MiB "
                        + "(RSS +%d KiB, guest memory touched %d KiB) [%s]%n", n, per, after - before, touched, kind);
            } finally {
                for (Vm vm : vms) vm.close();
            }
        }
    }
}
