package boxd.vmm.devices.virtio.block;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * A copy-on-write disk: a read-only base raw image, shared by many disks and never written, under a per-disk overlay
 * that holds only the clusters this disk wrote. The overlay is two files, a small map {@code OVERLAY} and a sparse
 * data file {@code OVERLAY.data} ({@link #dataFile}):
 * <pre>
 * map file, little-endian:
 *   0     8  magic "BOXDCOW1"
 *   8     4  format version (1)
 *   12    4  cluster size in bytes: a power of two, 512 B to 1 MiB (4 KiB unless asked otherwise)
 *   16    8  virtual size in bytes: what the guest sees; may exceed the base's size (bytes past the base read as zeros)
 *   24    8  the base's size in bytes
 *   32   32  SHA-256 of the base's first min(64 KiB, base size) bytes
 *   64    4  n: length in bytes of the base's path (UTF-8, 1 to 4000)
 *   68    n  the base's path, relative to the map's directory (so a data dir moved as a whole keeps its disks)
 *   4092  4  CRC-32C of bytes 0 to 4091
 *   4096     allocation bitmap, ceil(clusters / 8) bytes, the file ends there: bit (i &amp; 7) of byte (i &gt;&gt; 3)
 *            set means cluster i lives in the data file
 * data file: a sparse file of the virtual size; an allocated cluster i sits at offset i * cluster size
 * </pre>
 * As clusters sit at their own offsets, the cluster size is only the unit of the bitmap and of copy-up: at 4 KiB (the
 * block of the guest's ext4 and the host's page) a block write never needs a copy-up, and the bitmap costs 32 KiB per
 * GiB, on disk and in memory (with 64 KiB clusters each first 4 KiB write into a cluster copies 64 KiB: several times
 * fewer such writes per second, see bench/vmm).
 *
 * <p>A read takes each cluster from the data file when its bit is set, else from the base, else (past the base) zeros.
 * A write to an unallocated cluster that does not cover all of it first copies the base's cluster up (merged with the
 * new bytes, written whole), then sets the bit; bits only ever go from 0 to 1.
 *
 * <p>Durability is that of a disk with a volatile write cache (virtio-blk FLUSH, which {@link BlockDevice} offers):
 * {@link #flush} and {@link #close} force the data file first, then write the changed bitmap pages and force the map,
 * so a set bit on disk always means its cluster's data is on disk. A crash may lose writes since the last flush (a
 * newly allocated cluster then reads from the base again), never a flushed one. The map is written only there.
 *
 * <p>Opening checks everything it can before serving a request: magic, version, header checksum, bitmap length, the
 * data file's size, and that the base is the one the disk was made over (path, size and a hash of its first 64 KiB), so a moved, missing or
 * rebuilt base is refused with what to do instead of silently showing another disk. Thread-safe: reads share a lock,
 * writes and flushes take it alone.
 */
public final class CowBlockBackend implements BlockBackend {
    public static final String MAGIC = "BOXDCOW1";
    public static final int VERSION = 1;
    public static final int DEFAULT_CLUSTER_SIZE = 4096;
    static final int HEADER_BYTES = 4096;
    private static final int MIN_CLUSTER = 512, MAX_CLUSTER = 1 << 20, MAX_PATH_BYTES = 4000, CRC_AT = HEADER_BYTES - 4;
    /** The bitmap is held in one array in memory: at most 256 MiB, which is 8 TiB of 4 KiB clusters. */
    private static final long MAX_BITMAP_BYTES = 1L << 28;
    /** How much of the base's start its fingerprint covers: a rebuilt file system differs there (superblock). */
    private static final int FINGERPRINT_BYTES = 64 * 1024;
    /** Bitmap writes at flush go by pages of this size: only the pages with new bits are written. */
    private static final int MAP_PAGE = 4096;
    private static final byte[] ZEROS = new byte[64 * 1024];

    /** What a map file's header says. {@code baseSha256}: hex SHA-256 of the base's first 64 KiB. */
    public record Header(int clusterSize, long virtualSize, Path base, long baseSize, String baseSha256) {
        public long clusters() { return (virtualSize + clusterSize - 1) / clusterSize; }

        /** Length of the bitmap in bytes, thus of the map file minus the header. */
        public long bitmapBytes() { return CowBlockBackend.bitmapBytes(virtualSize, clusterSize); }
    }

    private static long bitmapBytes(long virtualSize, int clusterSize) {
        return ((virtualSize + clusterSize - 1) / clusterSize + 7) / 8;
    }

    private final Path overlay;
    private final Header header;
    private final boolean readOnly;
    private final FileChannel map, data, base;
    private final byte[] bits;
    /** Bitmap pages with bits set since the last flush. */
    private final BitSet dirtyPages = new BitSet();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final int cs;
    private final long size;
    private ByteBuffer clusterBuffer;  // copy-up staging, used under the write lock only
    private volatile boolean closed;

    private CowBlockBackend(Path overlay, Header header, boolean readOnly, FileChannel map, FileChannel data,
                            FileChannel base, byte[] bits) {
        this.overlay = overlay;
        this.header = header;
        this.readOnly = readOnly;
        this.map = map;
        this.data = data;
        this.base = base;
        this.bits = bits;
        this.cs = header.clusterSize();
        this.size = header.virtualSize();
    }

    /** {@return the data file of the overlay whose map is {@code overlay}: the same name plus {@code .data}} */
    public static Path dataFile(Path overlay) {
        return overlay.resolveSibling(overlay.getFileName() + ".data");
    }

    /** Creates a disk of {@code virtualSize} bytes over {@code base} with 4 KiB clusters and opens it read-write. */
    public static CowBlockBackend create(Path overlay, Path base, long virtualSize) throws IOException {
        return create(overlay, base, virtualSize, DEFAULT_CLUSTER_SIZE);
    }

    /**
     * Creates the overlay files {@code overlay} and {@link #dataFile}({@code overlay}), with every cluster reading from
     * {@code base}, and opens it read-write. The map is written under a temporary name and renamed, so an existing map
     * is always a whole one.
     *
     * @throws FileAlreadyExistsException when {@code overlay} exists (open it instead)
     * @throws IOException when the base cannot be read or the sizes are out of range
     */
    public static CowBlockBackend create(Path overlay, Path base, long virtualSize, int clusterSize) throws IOException {
        if (clusterSize < MIN_CLUSTER || clusterSize > MAX_CLUSTER || Integer.bitCount(clusterSize) != 1)
            throw new IllegalArgumentException("cluster size " + clusterSize + " is not a power of two from 512 B to 1 MiB");
        if (virtualSize <= 0) throw new IllegalArgumentException("virtual size " + virtualSize + " is not positive");
        if (bitmapBytes(virtualSize, clusterSize) > MAX_BITMAP_BYTES)
            throw new IllegalArgumentException("a " + virtualSize + "-byte disk of " + clusterSize
                    + "-byte clusters needs a bitmap over 256 MiB: use larger clusters");
        base = base.toAbsolutePath().normalize();
        byte[] path = storedBasePath(overlay, base).toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_PATH_BYTES)
            throw new IllegalArgumentException("the base path " + base + " is longer than " + MAX_PATH_BYTES + " bytes");
        if (Files.exists(overlay))
            throw new FileAlreadyExistsException(overlay.toString(), null,
                    "a copy-on-write disk is already there: open it, or delete it and its .data file to start over");
        Header h;
        try (FileChannel b = FileChannel.open(base, StandardOpenOption.READ)) {
            long baseSize = b.size();
            h = new Header(clusterSize, virtualSize, base, baseSize, fingerprint(b, baseSize));
        } catch (NoSuchFileException e) {
            throw new IOException("cannot create copy-on-write disk " + overlay + ": its base " + base + " does not exist", e);
        }
        Path dataPath = dataFile(overlay);
        try (RandomAccessFile d = new RandomAccessFile(dataPath.toFile(), "rw")) {
            d.setLength(0);  // a leftover of an interrupted create holds nothing we want
            d.setLength(virtualSize);
            d.getFD().sync();
        }
        Path tmp = overlay.resolveSibling(overlay.getFileName() + ".tmp");
        try {
            try (FileChannel m = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(m, encode(h, overlay), 0);
                long left = h.bitmapBytes(), at = HEADER_BYTES;
                while (left > 0) {
                    int n = (int) Math.min(left, ZEROS.length);
                    writeFully(m, ByteBuffer.wrap(ZEROS, 0, n), at);
                    at += n;
                    left -= n;
                }
                m.force(true);
            }
            Files.move(tmp, overlay, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(overlay.toAbsolutePath().getParent());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return open(overlay, base, false);
    }

    /** Opens an existing disk over the base its map names. */
    public static CowBlockBackend open(Path overlay, boolean readOnly) throws IOException {
        return open(overlay, null, readOnly);
    }

    /**
     * Opens an existing disk; with a non-null {@code base}, its map must name that base.
     *
     * @throws IOException saying what is wrong and what to do: no map, not a boxd copy-on-write disk, another version,
     *                     a corrupt or truncated map, a wrong-sized data file, another, missing or changed base
     */
    public static CowBlockBackend open(Path overlay, Path base, boolean readOnly) throws IOException {
        FileChannel m = null, d = null, b = null;
        try {
            try {
                m = readOnly ? FileChannel.open(overlay, StandardOpenOption.READ)
                        : FileChannel.open(overlay, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                throw new IOException("copy-on-write disk " + overlay + " does not exist: create it over its base first", e);
            }
            Header h = readHeader(m, overlay);
            if (base != null && !base.toAbsolutePath().normalize().equals(h.base()))
                throw new IOException("copy-on-write disk " + overlay + " was made over " + h.base() + ", not "
                        + base.toAbsolutePath().normalize() + ": give it its own base");
            long mapLength = m.size(), want = HEADER_BYTES + h.bitmapBytes();
            if (mapLength != want)
                throw new IOException("the map " + overlay + " is " + mapLength + " bytes where a " + h.virtualSize()
                        + "-byte disk of " + h.clusterSize() + "-byte clusters needs " + want + " (truncated or corrupt):"
                        + " restore it from a backup or recreate the disk");
            byte[] bits = new byte[(int) h.bitmapBytes()];
            readFully(m, ByteBuffer.wrap(bits), HEADER_BYTES);
            int spare = (int) (h.bitmapBytes() * 8 - h.clusters());
            if (spare > 0 && (bits[bits.length - 1] & 0xff) >>> (8 - spare) != 0)
                throw new IOException("the map " + overlay + " marks clusters past the end of the disk (corrupt):"
                        + " restore it from a backup or recreate the disk");
            Path dataPath = dataFile(overlay);
            try {
                d = readOnly ? FileChannel.open(dataPath, StandardOpenOption.READ)
                        : FileChannel.open(dataPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                throw new IOException("the data file " + dataPath + " of copy-on-write disk " + overlay + " is missing:"
                        + " restore it from a backup or recreate the disk", e);
            }
            if (d.size() != h.virtualSize())
                throw new IOException("the data file " + dataPath + " of copy-on-write disk " + overlay + " is " + d.size()
                        + " bytes, not " + h.virtualSize() + " (truncated or replaced): restore it or recreate the disk");
            try {
                b = FileChannel.open(h.base(), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IOException("the base image " + h.base() + " of copy-on-write disk " + overlay + " is missing:"
                        + " the disk reads its unwritten clusters from it; restore it there, or recreate the disk", e);
            }
            if (b.size() != h.baseSize() || !fingerprint(b, h.baseSize()).equals(h.baseSha256()))
                throw new IOException("the base image " + h.base() + " of copy-on-write disk " + overlay + " changed ("
                        + (b.size() != h.baseSize() ? "it is " + b.size() + " bytes, it was " + h.baseSize()
                        : "its first 64 KiB differ") + "); reading through it would corrupt the disk:"
                        + " restore the original base, or recreate the disk");
            return new CowBlockBackend(overlay, h, readOnly, m, d, b, bits);
        } catch (IOException | RuntimeException e) {
            for (FileChannel c : new FileChannel[] {m, d, b}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }

    /** {@return the header of the disk whose map is {@code overlay}}, checked as {@link #open} does (not the base) */
    public static Header readHeader(Path overlay) throws IOException {
        try (FileChannel m = FileChannel.open(overlay, StandardOpenOption.READ)) {
            return readHeader(m, overlay);
        } catch (NoSuchFileException e) {
            throw new IOException("copy-on-write disk " + overlay + " does not exist", e);
        }
    }

    /** Writes the whole virtual disk of {@code overlay} (over the base its map names) to the raw file {@code out}. */
    public static void flatten(Path overlay, Path out) throws IOException {
        try (CowBlockBackend d = open(overlay, true)) {
            d.exportRaw(out);
        }
    }

    public Header header() { return header; }

    public Path overlay() { return overlay; }

    @Override public long sizeBytes() { return size; }

    /** {@return how many clusters live in the data file (flushed or not)} */
    public long allocatedClusters() {
        lock.readLock().lock();
        try {
            long n = 0;
            for (byte x : bits) n += Integer.bitCount(x & 0xff);
            return n;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        checkRange("read", offset, len);
        lock.readLock().lock();
        try {
            ensureOpen();
            long pos = offset, end = offset + len;
            while (pos < end) {
                // one read per run of clusters that live in the same place
                boolean allocated = isSet(pos / cs);
                long runEnd = Math.min(end, (pos / cs + 1) * cs);
                while (runEnd < end && isSet(runEnd / cs) == allocated) runEnd = Math.min(end, runEnd + cs);
                int n = (int) (runEnd - pos);
                ByteBuffer part = dst.slice(dst.position(), n);
                if (allocated) readFully(data, part, pos);
                else readBase(part, pos);
                dst.position(dst.position() + n);
                pos = runEnd;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        int len = src.remaining();
        checkRange("write", offset, len);
        if (readOnly) throw new IOException("copy-on-write disk " + overlay + " is open read-only");
        lock.writeLock().lock();
        try {
            ensureOpen();
            long pos = offset, end = offset + len;
            while (pos < end) {
                long c = pos / cs, cStart = c * cs, cEnd = Math.min(cStart + cs, size);
                if (!isSet(c) && (pos > cStart || end < cEnd)) {
                    int n = (int) (Math.min(end, cEnd) - pos);
                    copyUp(c, src, (int) (pos - cStart), n);
                    pos += n;
                    continue;
                }
                // one write for the run of clusters that are allocated already or overwritten whole
                long runEnd = Math.min(end, cEnd);
                while (runEnd < end) {
                    long next = runEnd / cs, nextEnd = Math.min((next + 1) * cs, size);
                    if (!isSet(next) && end < nextEnd) break;
                    runEnd = Math.min(end, nextEnd);
                }
                int n = (int) (runEnd - pos);
                writeFully(data, src.slice(src.position(), n), pos);
                src.position(src.position() + n);
                for (long k = c; k <= (runEnd - 1) / cs; k++) setBit(k);  // only once their data is written
                pos = runEnd;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Makes every write so far durable: the data file first, then the bitmap pages with new bits (see the class doc). */
    @Override
    public void flush() throws IOException {
        lock.writeLock().lock();
        try {
            ensureOpen();
            if (!readOnly) persist();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Flushes (unless read-only) and closes the files; later calls do nothing. */
    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) return;
            IOException failure = null;
            try {
                if (!readOnly) persist();
            } catch (IOException e) {
                failure = e;
            }
            closed = true;
            for (FileChannel c : new FileChannel[] {map, data, base}) {
                try {
                    c.close();
                } catch (IOException e) {
                    if (failure == null) failure = e;
                    else failure.addSuppressed(e);
                }
            }
            if (failure != null) throw failure;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Closes the files without flushing, as a crash would leave them: for tests of what survives one. */
    void abandon() throws IOException {
        lock.writeLock().lock();
        try {
            closed = true;
            map.close();
            data.close();
            base.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes the virtual disk to the raw file {@code out} (replaced if there), sparse: runs of zeros are not written.
     * Reads as the guest would, so unflushed writes of this backend are included.
     */
    public void exportRaw(Path out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(ZEROS.length);
        try (FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long pos = 0; pos < size; pos += buf.capacity()) {
                int n = (int) Math.min(buf.capacity(), size - pos);
                buf.clear().limit(n);
                read(pos, buf);
                if (Arrays.mismatch(buf.array(), 0, n, ZEROS, 0, n) == -1) continue;
                writeFully(o, buf.flip(), pos);
            }
        }
        try (RandomAccessFile r = new RandomAccessFile(out.toFile(), "rw")) {
            r.setLength(size);  // trailing zeros as a hole
        }
    }

    @Override
    public String toString() {
        return "CowBlockBackend[" + overlay + " over " + header.base() + "]";
    }

    // ---- internals ----

    private void persist() throws IOException {
        data.force(false);
        if (dirtyPages.isEmpty()) return;
        for (int p = dirtyPages.nextSetBit(0); p >= 0; p = dirtyPages.nextSetBit(p + 1)) {
            int from = p * MAP_PAGE, to = Math.min(bits.length, from + MAP_PAGE);
            writeFully(map, ByteBuffer.wrap(bits, from, to - from), HEADER_BYTES + (long) from);
        }
        map.force(false);
        dirtyPages.clear();
    }

    /** Cluster {@code c} gets the base's bytes merged with {@code n} bytes of {@code src} at {@code at}, then its bit. */
    private void copyUp(long c, ByteBuffer src, int at, int n) throws IOException {
        long cStart = c * cs;
        int clusterLength = (int) (Math.min(cStart + cs, size) - cStart);
        if (clusterBuffer == null) clusterBuffer = ByteBuffer.allocateDirect(cs);
        ByteBuffer buf = clusterBuffer.clear().limit(clusterLength);
        readBase(buf, cStart);
        buf.put(at, src, src.position(), n);
        src.position(src.position() + n);
        writeFully(data, buf.position(0), cStart);
        setBit(c);
    }

    /** Fills {@code dst} with the base's bytes from {@code pos}, and zeros past the base's end. */
    private void readBase(ByteBuffer dst, long pos) throws IOException {
        int n = dst.remaining();
        int inBase = (int) Math.max(0, Math.min(n, header.baseSize() - pos));
        if (inBase > 0) readFully(base, dst.slice(dst.position(), inBase), pos);
        for (int at = dst.position() + inBase, left = n - inBase; left > 0; ) {
            int k = Math.min(left, ZEROS.length);
            dst.put(at, ZEROS, 0, k);
            at += k;
            left -= k;
        }
        dst.position(dst.position() + n);
    }

    private boolean isSet(long cluster) {
        return (bits[(int) (cluster >>> 3)] & (1 << (cluster & 7))) != 0;
    }

    private void setBit(long cluster) {
        int i = (int) (cluster >>> 3);
        byte b = (byte) (bits[i] | (1 << (cluster & 7)));
        if (b != bits[i]) {
            bits[i] = b;
            dirtyPages.set(i / MAP_PAGE);
        }
    }

    private void checkRange(String op, long offset, int len) throws IOException {
        if (offset < 0 || offset > size - len)
            throw new IOException("cannot " + op + " " + len + " bytes at offset " + offset + " of copy-on-write disk "
                    + overlay + ": the disk is " + size + " bytes");
    }

    private void ensureOpen() throws IOException {
        if (closed) throw new IOException("copy-on-write disk " + overlay + " is closed");
    }

    private static Header readHeader(FileChannel m, Path overlay) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && m.read(b, b.position()) > 0) {
            // reading the header
        }
        if (b.position() < MAGIC.length()
                || !MAGIC.equals(new String(b.array(), 0, MAGIC.length(), StandardCharsets.ISO_8859_1)))
            throw new IOException(overlay + " is not a boxd copy-on-write disk (no " + MAGIC + " magic at its start):"
                    + " use it as a raw image without a base, or recreate the overlay");
        if (b.position() < HEADER_BYTES)
            throw new IOException("the map " + overlay + " is truncated (" + b.position() + " bytes, its header alone is "
                    + HEADER_BYTES + "): restore it from a backup or recreate the disk");
        int version = b.getInt(8);
        if (version != VERSION)
            throw new IOException("copy-on-write disk " + overlay + " has format version " + version
                    + "; this boxd reads version " + VERSION + ": use the boxd release that made it");
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_AT);
        if ((int) crc.getValue() != b.getInt(CRC_AT))
            throw new IOException("the header of copy-on-write disk " + overlay + " is corrupt (checksum mismatch):"
                    + " restore it from a backup or recreate the disk");
        int clusterSize = b.getInt(12);
        long virtualSize = b.getLong(16), baseSize = b.getLong(24);
        int pathLength = b.getInt(64);
        if (clusterSize < MIN_CLUSTER || clusterSize > MAX_CLUSTER || Integer.bitCount(clusterSize) != 1
                || virtualSize <= 0 || bitmapBytes(virtualSize, clusterSize) > MAX_BITMAP_BYTES || baseSize < 0
                || pathLength < 1 || pathLength > MAX_PATH_BYTES)
            throw new IOException("the header of copy-on-write disk " + overlay + " holds impossible values (cluster size "
                    + clusterSize + ", virtual size " + virtualSize + "): restore it from a backup or recreate the disk");
        String sha = HexFormat.of().formatHex(b.array(), 32, 64);
        Path stored = Path.of(new String(b.array(), 68, pathLength, StandardCharsets.UTF_8));
        Path basePath = overlay.toAbsolutePath().normalize().getParent().resolve(stored).normalize();
        return new Header(clusterSize, virtualSize, basePath, baseSize, sha);
    }

    /** The base as the map stores it: relative to the map's directory. */
    private static Path storedBasePath(Path overlay, Path absoluteBase) {
        return overlay.toAbsolutePath().normalize().getParent().relativize(absoluteBase);
    }

    private static ByteBuffer encode(Header h, Path overlay) {
        byte[] path = storedBasePath(overlay, h.base()).toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC.getBytes(StandardCharsets.ISO_8859_1));
        b.putInt(VERSION).putInt(h.clusterSize()).putLong(h.virtualSize()).putLong(h.baseSize());
        b.put(HexFormat.of().parseHex(h.baseSha256()));
        b.putInt(path.length).put(path);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_AT);
        b.putInt(CRC_AT, (int) crc.getValue());
        return b.clear();
    }

    /** Hex SHA-256 of the first min(64 KiB, base size) bytes: a rebuilt base of the same size differs here. */
    private static String fingerprint(FileChannel b, long baseSize) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(FINGERPRINT_BYTES, baseSize));
        readFully(b, buf, 0);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new java.io.EOFException("unexpected end of " + ch + " at " + pos);
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) pos += ch.write(src, pos);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system can sync a directory; the rename is then as durable as the file system makes it
        }
    }
}
