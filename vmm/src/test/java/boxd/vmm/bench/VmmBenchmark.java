package boxd.vmm.bench;

import boxd.vmm.Vm;
import boxd.vmm.VmmBuilder;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.devices.BusDevice;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.block.BlockDevice;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * bench/vmm: start-to-first-guest-instruction time, VMM memory overhead per idle VM, and virtio-blk sequential
 * throughput through the device model, each labelled with the host's KVM kind. Run by bench/vmm/run.sh (not by CI:
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

    /** Sequential 128 KiB requests through BlockDevice over a raw file, guest memory mmap'd as for a real VM. */
    private void blockThroughput(Path dir) throws IOException {
        long total = Long.getLong("bench.blockMiB", 512L) << 20;
        int req = 128 * 1024;
        // the image on tmpfs when there is one, so the figure is the device model's cost and not this host's disk
        Path shm = Path.of("/dev/shm");
        boolean tmpfs = Files.isDirectory(shm) && Files.isWritable(shm);
        Path img = tmpfs ? Files.createTempFile(shm, "boxd-bench", ".img") : dir.resolve("disk.img");
        try {
            blockThroughput(img, total, req, tmpfs);
        } finally {
            Files.deleteIfExists(img);
        }
    }

    private void blockThroughput(Path img, long total, int req, boolean tmpfs) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(total);
        }
        try (MappedGuestMemory mem = MappedGuestMemory.create(MemoryRegion.withMmioGap(256L << 20), MappedGuestMemory.Backing.ANONYMOUS);
             FileBlockBackend backend = new FileBlockBackend(img, false)) {
            BlockDevice dev = new BlockDevice(backend, false, "bench");
            VirtqueueDriver drv = new VirtqueueDriver(mem, 0x10000, 256);
            dev.activate(mem, List.of(drv.configure(new Queue(256))), new CountingInterrupt());
            int perBatch = 256 / 3;
            long dataBase = 0x100000;
            for (int i = 0; i < perBatch; i++) mem.write(dataBase + (long) i * req, new byte[req]);
            for (boolean write : new boolean[] {true, false}) {
                long t0 = System.nanoTime();
                long sector = 0;
                while (sector * 512 < total) {
                    int n = 0;
                    for (; n < perBatch && sector * 512 < total; n++) {
                        long hdr = 0x40000 + n * 32L;
                        mem.writeU32(hdr, write ? 1 : 0);
                        mem.writeU64(hdr + 8, sector);
                        drv.add(new Buf(hdr, 16, false), new Buf(dataBase + (long) n * req, req, !write), new Buf(hdr + 16, 1, true));
                        sector += req / 512;
                    }
                    dev.queueNotify(0);
                    if (drv.takeUsed().size() != n) throw new IllegalStateException("requests lost");
                }
                if (write) {
                    mem.writeU32(0x40000, 4);
                    drv.add(new Buf(0x40000, 16, false), new Buf(0x40010, 1, true));
                    dev.queueNotify(0);
                    drv.takeUsed();
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("virtio-blk sequential %s (device model, %d KiB requests, %d MiB, image on %s): %.0f MiB/s [%s host]%n",
                        write ? "write" : "read", req / 1024, total >> 20, tmpfs ? "tmpfs" : "disk", (total >> 20) / secs, kind);
            }
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
