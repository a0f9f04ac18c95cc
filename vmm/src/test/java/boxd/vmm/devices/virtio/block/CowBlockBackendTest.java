package boxd.vmm.devices.virtio.block;

import boxd.vmm.config.BlockConfig;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.testing.CountingInterrupt;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver;
import boxd.vmm.devices.virtio.testing.VirtqueueDriver.Buf;
import boxd.vmm.memory.HeapGuestMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The copy-on-write disk checked against a byte array holding what the disk must read. */
class CowBlockBackendTest {
    @TempDir
    Path dir;

    private static final int CLUSTER = 4096;

    /** A base of {@code size} bytes of seeded noise. */
    private Path base(long size, long seed) throws IOException {
        Path p = dir.resolve("base-" + seed + ".img");
        byte[] b = new byte[(int) size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
        return p;
    }

    private static String sha(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** What a fresh disk over {@code base} must read: the base, then zeros up to the virtual size. */
    private static byte[] model(Path base, int virtualSize) throws IOException {
        byte[] b = Files.readAllBytes(base);
        return Arrays.copyOf(b, virtualSize);
    }

    private static byte[] readAll(BlockBackend d) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) d.sizeBytes());
        d.read(0, all);
        return all.array();
    }

    /** A random write (unaligned, often across clusters, sometimes past the base) applied to both disk and model. */
    private static void randomWrite(Random r, BlockBackend d, byte[] model) throws IOException {
        randomWrite(r, d, model, new java.util.BitSet());
    }

    /** Also marks the clusters the write touched in {@code touched}. */
    private static void randomWrite(Random r, BlockBackend d, byte[] model, java.util.BitSet touched) throws IOException {
        int len = 1 + r.nextInt(r.nextBoolean() ? 300 : 2 * CLUSTER);
        int off = r.nextInt(model.length - len + 1);
        byte[] b = new byte[len];
        r.nextBytes(b);
        ByteBuffer src = r.nextBoolean() ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(len).put(b).flip();
        d.write(off, src);
        assertFalse(src.hasRemaining(), "the write consumed its buffer");
        System.arraycopy(b, 0, model, off, len);
        touched.set(off / CLUSTER, (off + len - 1) / CLUSTER + 1);
    }

    private static void randomReadMatches(Random r, BlockBackend d, byte[] model) throws IOException {
        int len = 1 + r.nextInt(4 * CLUSTER);
        int off = r.nextInt(model.length - len + 1);
        ByteBuffer dst = r.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
        d.read(off, dst);
        assertFalse(dst.hasRemaining());
        byte[] got = new byte[len];
        dst.flip().get(got);
        assertArrayEquals(Arrays.copyOfRange(model, off, off + len), got, "read of " + len + " at " + off);
    }

    @Test
    void randomReadsAndWritesMatchTheModelAndSurviveReopen() throws Exception {
        // the base ends mid-cluster and the disk is larger (and not a whole number of clusters)
        Path base = base(40 * CLUSTER + 1234, 1);
        String baseSum = sha(base);
        int virtual = 64 * CLUSTER + 512;
        Path ov = dir.resolve("disk.cow");
        byte[] model = model(base, virtual);
        Random r = new Random(42);
        try (CowBlockBackend d = CowBlockBackend.create(ov, base, virtual, CLUSTER)) {
            assertEquals(virtual, d.sizeBytes());
            assertArrayEquals(model, readAll(d), "a fresh disk reads as its base, zeros past it");
            assertEquals(0, d.allocatedClusters());
            java.util.BitSet touched = new java.util.BitSet();
            for (int i = 0; i < 90; i++) {
                if (r.nextInt(3) == 0) randomReadMatches(r, d, model);
                else randomWrite(r, d, model, touched);
                if (i % 20 == 0) d.flush();
            }
            assertEquals(touched.cardinality(), d.allocatedClusters(), "exactly the written clusters are in the overlay");
            assertTrue(touched.cardinality() < 60, "some clusters still read from the base: " + touched);
            for (int i = 0; i < 300; i++) {
                if (r.nextInt(3) == 0) randomReadMatches(r, d, model);
                else randomWrite(r, d, model);
                if (i % 50 == 0) d.flush();
            }
            // the exact edges: the last byte of the base, the first past it, the last byte of the disk
            for (int off : new int[] {40 * CLUSTER + 1233, 40 * CLUSTER + 1234, virtual - 1}) {
                d.write(off, ByteBuffer.wrap(new byte[] {(byte) 0xA5}));
                model[off] = (byte) 0xA5;
            }
            assertArrayEquals(model, readAll(d));
        }
        assertEquals(baseSum, sha(base), "the base is never written");
        assertTrue(Files.size(ov) < 2 * CLUSTER, "the map is a header and a bitmap");
        try (CowBlockBackend d = CowBlockBackend.open(ov, base, false)) {
            assertArrayEquals(model, readAll(d), "close flushed everything");
            for (int i = 0; i < 100; i++) randomWrite(r, d, model);
        }
        try (CowBlockBackend d = CowBlockBackend.open(ov, true)) {
            assertArrayEquals(model, readAll(d), "reopened over the base its map names");
            assertThrows(IOException.class, () -> d.write(0, ByteBuffer.allocate(1)), "read-only");
        }
        Path raw = dir.resolve("flat.img");
        CowBlockBackend.flatten(ov, raw);
        assertArrayEquals(model, Files.readAllBytes(raw), "flatten writes the virtual disk");
        assertEquals(baseSum, sha(base));
    }

    @Test
    void aPartialWriteToANewClusterKeepsTheRestOfTheBaseCluster() throws Exception {
        Path base = base(8 * CLUSTER, 2);
        byte[] model = model(base, 8 * CLUSTER);
        try (CowBlockBackend d = CowBlockBackend.create(dir.resolve("d.cow"), base, 8 * CLUSTER, CLUSTER)) {
            d.write(CLUSTER + 100, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            model[CLUSTER + 100] = 1;
            model[CLUSTER + 101] = 2;
            model[CLUSTER + 102] = 3;
            assertEquals(1, d.allocatedClusters());
            // a whole-cluster write needs no copy-up; the data file then holds exactly what was written
            byte[] whole = new byte[CLUSTER];
            Arrays.fill(whole, (byte) 7);
            d.write(3L * CLUSTER, ByteBuffer.wrap(whole));
            System.arraycopy(whole, 0, model, 3 * CLUSTER, CLUSTER);
            assertEquals(2, d.allocatedClusters());
            assertArrayEquals(model, readAll(d));
        }
        byte[] data = Files.readAllBytes(CowBlockBackend.dataFile(dir.resolve("d.cow")));
        assertArrayEquals(Arrays.copyOfRange(model, CLUSTER, 2 * CLUSTER), Arrays.copyOfRange(data, CLUSTER, 2 * CLUSTER),
                "the copied-up cluster holds the base's bytes merged with the write");
        assertArrayEquals(new byte[CLUSTER], Arrays.copyOfRange(data, 0, CLUSTER), "untouched clusters stay holes");
    }

    @Test
    void aCrashKeepsEverythingFlushedBeforeIt() throws Exception {
        Path base = base(32 * CLUSTER, 3);
        int virtual = 48 * CLUSTER;
        Path ov = dir.resolve("crash.cow");
        byte[] model = model(base, virtual);
        Random r = new Random(7);
        CowBlockBackend d = CowBlockBackend.create(ov, base, virtual, CLUSTER);
        for (int i = 0; i < 150; i++) randomWrite(r, d, model);
        d.flush();
        byte[] flushed = model.clone();
        byte[] mapAtFlush = Files.readAllBytes(ov);
        boolean[] touched = new boolean[virtual / CLUSTER];
        for (int i = 0; i < 80; i++) {
            int len = 1 + r.nextInt(2 * CLUSTER);
            int off = r.nextInt(virtual - len + 1);
            byte[] b = new byte[len];
            r.nextBytes(b);
            d.write(off, ByteBuffer.wrap(b));
            System.arraycopy(b, 0, model, off, len);
            for (int c = off / CLUSTER; c <= (off + len - 1) / CLUSTER; c++) touched[c] = true;
        }
        assertArrayEquals(mapAtFlush, Files.readAllBytes(ov), "the map is written at flush only");
        d.abandon();  // the process dies: no flush, no close

        try (CowBlockBackend again = CowBlockBackend.open(ov, base, false)) {
            byte[] got = readAll(again);
            for (int c = 0; c < touched.length; c++) {
                byte[] was = Arrays.copyOfRange(flushed, c * CLUSTER, (c + 1) * CLUSTER);
                byte[] now = Arrays.copyOfRange(got, c * CLUSTER, (c + 1) * CLUSTER);
                if (!touched[c]) {
                    assertArrayEquals(was, now, "cluster " + c + " (not written since the flush) as flushed");
                } else {
                    // a cluster written after the flush reads as flushed or as last written, never anything else
                    byte[] last = Arrays.copyOfRange(model, c * CLUSTER, (c + 1) * CLUSTER);
                    assertTrue(Arrays.equals(was, now) || Arrays.equals(last, now), "cluster " + c + " is torn");
                }
            }
            // the disk keeps working after the crash: writes land, reopen keeps them
            byte[] m2 = got.clone();
            for (int i = 0; i < 50; i++) randomWrite(r, again, m2);
            again.flush();
            model = m2;
        }
        try (CowBlockBackend d2 = CowBlockBackend.open(ov, base, true)) {
            assertArrayEquals(model, readAll(d2));
        }
    }

    @Test
    void outOfRangeRequestsAreRefusedAndChangeNothing() throws Exception {
        Path base = base(4 * CLUSTER, 4);
        Path ov = dir.resolve("r.cow");
        try (CowBlockBackend d = CowBlockBackend.create(ov, base, 4 * CLUSTER, CLUSTER)) {
            byte[] before = readAll(d);
            IOException e = assertThrows(IOException.class, () -> d.write(4L * CLUSTER - 10, ByteBuffer.allocate(11)));
            assertTrue(e.getMessage().contains("the disk is " + 4 * CLUSTER + " bytes"), e.getMessage());
            assertThrows(IOException.class, () -> d.write(-1, ByteBuffer.allocate(1)));
            assertThrows(IOException.class, () -> d.read(Long.MAX_VALUE, ByteBuffer.allocate(2)));
            assertThrows(IOException.class, () -> d.read(4L * CLUSTER, ByteBuffer.allocate(1)));
            assertEquals(0, d.allocatedClusters());
            assertArrayEquals(before, readAll(d));
            d.read(4L * CLUSTER, ByteBuffer.allocate(0));  // an empty request at the end is fine
        }
        assertThrows(FileAlreadyExistsException.class, () -> CowBlockBackend.create(ov, base, 4 * CLUSTER, CLUSTER),
                "create never overwrites a disk");
        assertThrows(IllegalArgumentException.class, () -> CowBlockBackend.create(dir.resolve("x.cow"), base, 100, 3000));
        assertThrows(IllegalArgumentException.class, () -> CowBlockBackend.create(dir.resolve("x.cow"), base, 0));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> CowBlockBackend.create(dir.resolve("x.cow"), base, 16L << 40));
        assertTrue(huge.getMessage().contains("use larger clusters"), huge.getMessage());
        assertFalse(Files.exists(dir.resolve("x.cow")));
        IOException e = assertThrows(IOException.class, () -> CowBlockBackend.create(dir.resolve("y.cow"), dir.resolve("none"), 100));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("y.cow")));
    }

    @Test
    void aChangedMissingOrOtherBaseIsRefusedWithWhatToDo() throws Exception {
        Path base = base(8 * CLUSTER, 5);
        Path ov = dir.resolve("b.cow");
        CowBlockBackend.create(ov, base, 8 * CLUSTER, CLUSTER).close();

        IOException other = assertThrows(IOException.class, () -> CowBlockBackend.open(ov, base(8 * CLUSTER, 6), false));
        assertTrue(other.getMessage().contains("was made over " + base.toAbsolutePath()), other.getMessage());

        byte[] original = Files.readAllBytes(base);
        try (RandomAccessFile f = new RandomAccessFile(base.toFile(), "rw")) {
            f.setLength(9 * CLUSTER);
        }
        IOException grown = assertThrows(IOException.class, () -> CowBlockBackend.open(ov, base, false));
        assertTrue(grown.getMessage().contains("changed (it is " + 9 * CLUSTER + " bytes, it was " + 8 * CLUSTER)
                && grown.getMessage().contains("restore the original base"), grown.getMessage());

        byte[] rebuilt = original.clone();
        rebuilt[1100] ^= 1;  // same size, other content (a rebuilt file system has another superblock)
        Files.write(base, rebuilt);
        IOException changed = assertThrows(IOException.class, () -> CowBlockBackend.open(ov, base, false));
        assertTrue(changed.getMessage().contains("its first 64 KiB differ"), changed.getMessage());

        Files.delete(base);
        IOException missing = assertThrows(IOException.class, () -> CowBlockBackend.open(ov, false));
        assertTrue(missing.getMessage().contains("is missing") && missing.getMessage().contains("restore it"), missing.getMessage());

        Files.write(base, original);
        try (CowBlockBackend d = CowBlockBackend.open(ov, base, false)) {
            assertArrayEquals(original, readAll(d), "the original base restored: the disk opens again");
        }
    }

    @Test
    void aDamagedMapIsRefusedAndLeftAsItWas() throws Exception {
        Path base = base(16 * CLUSTER, 8);
        Path ov = dir.resolve("m.cow");
        CowBlockBackend.create(ov, base, 16 * CLUSTER, CLUSTER).close();
        byte[] good = Files.readAllBytes(ov);

        Files.write(ov, Arrays.copyOf(good, good.length - 1));
        assertRefused(ov, "is " + (good.length - 1) + " bytes where", "truncated");

        Files.write(ov, Arrays.copyOf(good, 100));
        assertRefused(ov, "is truncated", "recreate the disk");

        byte[] magic = good.clone();
        magic[0] = 'X';
        Files.write(ov, magic);
        assertRefused(ov, "is not a boxd copy-on-write disk", "BOXDCOW1");

        byte[] version = good.clone();
        ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Files.write(ov, version);
        assertRefused(ov, "format version 2", "version 1");

        byte[] flipped = good.clone();
        flipped[20] ^= 0x10;  // the virtual size, under the checksum
        Files.write(ov, flipped);
        assertRefused(ov, "checksum mismatch", "restore it");

        Files.write(ov, Arrays.copyOf(good, good.length + 1));  // one byte too long is as wrong as one too short
        assertRefused(ov, "is " + (good.length + 1) + " bytes where", "corrupt");

        Files.write(ov, good);
        try (FileChannel d = FileChannel.open(CowBlockBackend.dataFile(ov), StandardOpenOption.WRITE)) {
            d.truncate(CLUSTER);
        }
        assertRefused(ov, "data file", "not " + 16 * CLUSTER);

        Files.delete(CowBlockBackend.dataFile(ov));
        assertRefused(ov, "data file", "is missing");
        IOException none = assertThrows(IOException.class, () -> CowBlockBackend.open(dir.resolve("none.cow"), base, false));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }

    @Test
    void bitsPastTheLastClusterAreRefused() throws Exception {
        Path base = base(4 * CLUSTER, 9);
        Path ov = dir.resolve("p.cow");
        CowBlockBackend.create(ov, base, 5 * CLUSTER, CLUSTER).close();  // 5 clusters: 3 spare bits
        byte[] m = Files.readAllBytes(ov);
        m[CowBlockBackend.HEADER_BYTES] = (byte) 0x80;
        Files.write(ov, m);
        assertRefused(ov, "past the end of the disk", "recreate");
    }

    private static void assertRefused(Path ov, String what, String hint) throws Exception {
        byte[] before = Files.readAllBytes(ov);
        IOException e = assertThrows(IOException.class, () -> CowBlockBackend.open(ov, false));
        assertTrue(e.getMessage().contains(what) && e.getMessage().contains(hint), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(ov), "a refused map is left as it was");
    }

    @Test
    void theHeaderSaysWhatTheDiskIs() throws Exception {
        Path base = base(2 * CLUSTER, 10);
        Path ov = dir.resolve("h.cow");
        CowBlockBackend.create(ov, base, 1L << 30).close();
        CowBlockBackend.Header h = CowBlockBackend.readHeader(ov);
        assertEquals(CowBlockBackend.DEFAULT_CLUSTER_SIZE, h.clusterSize());
        assertEquals(1L << 30, h.virtualSize());
        assertEquals(base.toAbsolutePath(), h.base());
        assertEquals(2 * CLUSTER, h.baseSize());
        assertEquals(sha(base), h.baseSha256(), "the base's first 64 KiB (here all of it)");
        assertEquals(4096, CowBlockBackend.DEFAULT_CLUSTER_SIZE);
        assertEquals(4096 + 32 * 1024, Files.size(ov), "a 1 GiB disk of 4 KiB clusters has a 32 KiB bitmap");
        assertEquals(1L << 30, Files.size(CowBlockBackend.dataFile(ov)));
        long allocated = Long.parseLong(new String(new ProcessBuilder("stat", "-c", "%b", CowBlockBackend.dataFile(ov).toString())
                .start().getInputStream().readAllBytes()).strip());
        assertTrue(allocated < 64, "the data file is a hole: " + allocated + " blocks");
        assertEquals("BOXDCOW1", new String(Files.readAllBytes(ov), 0, 8));
    }

    @Test
    void aDiskMovedTogetherWithItsBaseStillOpens() throws Exception {
        // the layout of a data dir: boxes/ID/root.cow over images/vm-base/BASE
        Path data = dir.resolve("data");
        Path base = Files.createDirectories(data.resolve("images/vm-base")).resolve("root.ext4");
        Files.copy(base(4 * CLUSTER, 12), base);
        Path ov = Files.createDirectories(data.resolve("boxes/b-1")).resolve("root.cow");
        byte[] want = model(base, 8 * CLUSTER);
        try (CowBlockBackend d = CowBlockBackend.create(ov, base, 8 * CLUSTER)) {
            byte[] w = "written before the move".getBytes(StandardCharsets.UTF_8);
            d.write(CLUSTER + 100, ByteBuffer.wrap(w));
            System.arraycopy(w, 0, want, CLUSTER + 100, w.length);
        }
        Path moved = dir.resolve("elsewhere/data");
        Files.createDirectories(moved.getParent());
        Files.move(data, moved);
        Path ov2 = moved.resolve("boxes/b-1/root.cow");
        try (CowBlockBackend d = CowBlockBackend.open(ov2, true)) {
            assertEquals(moved.resolve("images/vm-base/root.ext4"), CowBlockBackend.readHeader(ov2).base());
            assertArrayEquals(want, readAll(d));
        }
    }

    @Test
    void concurrentReadersAndWritersSeeWholeWrites() throws Exception {
        Path base = base(64 * CLUSTER, 11);
        try (CowBlockBackend d = CowBlockBackend.create(dir.resolve("c.cow"), base, 64 * CLUSTER, CLUSTER)) {
            // each writer owns 16 clusters and writes cluster-sized patterns at unaligned offsets inside them
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                int owner = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        Random r = new Random(owner);
                        for (int i = 0; i < 200; i++) {
                            int off = owner * 16 * CLUSTER + r.nextInt(15 * CLUSTER);
                            byte[] b = new byte[CLUSTER];
                            Arrays.fill(b, (byte) (i + 1));
                            d.write(off, ByteBuffer.wrap(b));
                            ByteBuffer back = ByteBuffer.allocate(CLUSTER);
                            d.read(off, back);
                            assertArrayEquals(b, back.array(), "writer " + owner + " reads its own write");
                            if (i % 40 == 0) d.flush();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            if (!failures.isEmpty()) throw new AssertionError(failures.peek());
        }
    }

    @Test
    void blockDeviceOverACowDiskWritesTheOverlayNotTheBase() throws Exception {
        Path base = base(64 * 512, 12);
        String baseSum = sha(base);
        byte[] baseBytes = Files.readAllBytes(base);
        Path ov = dir.resolve("dev.cow");
        HeapGuestMemory mem = HeapGuestMemory.of(256 * 1024);
        VirtqueueDriver drv = new VirtqueueDriver(mem, 0x1000, 16);
        long hdr = 0x10000, buf = 0x11000, status = 0x20000;
        try (CowBlockBackend cow = CowBlockBackend.create(ov, base, 128 * 512, CLUSTER)) {
            BlockDevice dev = new BlockDevice(cow, false, "cow");
            dev.activate(mem, List.of(drv.configure(new Queue(BlockDevice.QUEUE_SIZE))), new CountingInterrupt());
            byte[] cfg = new byte[8];
            dev.readConfig(0, cfg);
            assertEquals(128, ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN).getLong(), "capacity is the virtual size");

            mem.write(buf, "written-through-the-queue".getBytes());
            submit(dev, drv, mem, hdr, BlockRequest.T_OUT, 9, buf, 512, false, status);
            assertEquals(BlockRequest.S_OK, mem.readU8(status));
            submit(dev, drv, mem, hdr, BlockRequest.T_FLUSH, 0, 0, 0, false, status);
            assertEquals(BlockRequest.S_OK, mem.readU8(status));

            mem.write(buf, new byte[1024]);
            submit(dev, drv, mem, hdr, BlockRequest.T_IN, 8, buf, 1024, true, status);
            assertEquals(BlockRequest.S_OK, mem.readU8(status));
            assertArrayEquals(Arrays.copyOfRange(baseBytes, 8 * 512, 9 * 512), mem.read(buf, 512), "sector 8 from the base");
            assertEquals("written-through-the-queue", new String(mem.read(buf + 512, 25)), "sector 9 from the overlay");

            submit(dev, drv, mem, hdr, BlockRequest.T_IN, 100, buf, 512, true, status);
            assertArrayEquals(new byte[512], mem.read(buf, 512), "past the base: zeros");
            submit(dev, drv, mem, hdr, BlockRequest.T_IN, 127, buf, 1024, true, status);
            assertEquals(BlockRequest.S_IOERR, mem.readU8(status), "past the disk: an error");
        }
        assertEquals(baseSum, sha(base), "the base is untouched");
        try (CowBlockBackend again = CowBlockBackend.open(ov, base, true)) {
            ByteBuffer b = ByteBuffer.allocate(25);
            again.read(9 * 512, b);
            assertEquals("written-through-the-queue", new String(b.array()));
        }
        BlockConfig parsed = BlockConfig.parse(ov + ",base=" + base, 0);
        assertEquals(new BlockConfig(ov, false, "boxd-disk0", base), parsed);
        assertTrue(parsed.copyOnWrite());
    }

    private static void submit(BlockDevice dev, VirtqueueDriver drv, HeapGuestMemory mem, long hdr, int type, long sector,
                               long buf, int len, boolean deviceWrites, long status) {
        mem.writeU32(hdr, type);
        mem.writeU32(hdr + 4, 0);
        mem.writeU64(hdr + 8, sector);
        mem.writeU8(status, 0xEE);
        if (len > 0) drv.add(new Buf(hdr, 16, false), new Buf(buf, len, deviceWrites), new Buf(status, 1, true));
        else drv.add(new Buf(hdr, 16, false), new Buf(status, 1, true));
        dev.queueNotify(0);
        assertEquals(1, drv.takeUsed().size());
    }
}
