package boxd.worker.vm;

import boxd.common.DataDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The shared, read-only base disks that vm boxes' copy-on-write root disks read from: one per (image ext4, disk size,
 * guest init), made once by {@link VmDisks#makeRootImage} (sparse copy of the image, grown and resized to the size,
 * guest init written) and never written again. They live in {@code DataDir.images()/vm-base/} as
 * {@code root-<GiB>g-<KEY>.ext4}, KEY being a hash of the image's identity (absolute path, size, modification time,
 * inode), the size and the guest init's content, so a rebuilt image or a new guest init gets a new base while the
 * boxes made over the old one keep it.
 *
 * <p>A base is built under a temporary name, synced, and published with a hard link, which never replaces an existing file:
 * two builders racing (two threads here are serialized per key; two processes are not) both end up with the one base
 * that was published first, and boxes never see a base change under them. Temporaries older than an hour (a build
 * takes seconds) are leftovers of a crash and are removed by the next build. A base of an older image or guest init is
 * removed when the last box over it is destroyed ({@link #removeUnused}).
 */
public final class VmBaseDisks {
    /** Bumped when how a base is made changes in a way its inputs do not show. */
    private static final String FORMAT = "vm-base-v1";
    private static final Duration LEFTOVER_AGE = Duration.ofHours(1);

    private final Path dir;
    private final ConcurrentHashMap<String, Object> building = new ConcurrentHashMap<>();

    public VmBaseDisks(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The bases of a data directory: {@code images/vm-base/}. */
    public static VmBaseDisks in(DataDir dataDir) {
        return new VmBaseDisks(dataDir.images().resolve("vm-base"));
    }

    public Path dir() { return dir; }

    /** {@return where the base for this image, size and the current guest init lives (whether or not it exists)} */
    public Path pathFor(Path imageExt4, int diskGb) throws IOException {
        return dir.resolve("root-" + diskGb + "g-" + key(imageExt4, diskGb, VmDisks.guestInit()) + ".ext4");
    }

    /**
     * Returns the base for {@code imageExt4} at {@code diskGb} GiB, making it first when needed (seconds: a sparse
     * copy, resize2fs and debugfs).
     *
     * @param forBox the box that asks, for error messages
     * @throws boxd.common.BoxdException INVALID when the image is larger than the disk, INTERNAL when a tool fails
     */
    public Path ensure(Path imageExt4, int diskGb, String forBox) throws IOException {
        Path base = pathFor(imageExt4, diskGb);
        if (Files.isRegularFile(base)) return base;
        synchronized (building.computeIfAbsent(base.getFileName().toString(), k -> new Object())) {
            if (Files.isRegularFile(base)) return base;  // made by another thread while this one waited
            Files.createDirectories(dir);
            removeLeftovers();
            Path tmp = dir.resolve(".tmp-" + base.getFileName() + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
            try {
                VmDisks.makeRootImage(imageExt4, tmp, diskGb, "box " + forBox);
                // on disk before any overlay names it: a base half lost in a crash would corrupt every box over it
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ)) {
                    ch.force(true);
                }
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
                try {
                    Files.createLink(base, tmp);
                } catch (FileAlreadyExistsException lostRace) {
                    // another process published the same base first: use that one
                } catch (UnsupportedOperationException | FileSystemException noLinks) {
                    // a file system without hard links: a rename, which would replace, so only if still absent
                    if (!Files.exists(base)) Files.move(tmp, base, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);  // the link itself
            }
            return base;
        }
    }

    /** {@return the bases in this directory} */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("root-")).sorted().toList();
        }
    }

    /**
     * Removes the bases no overlay names that were not made from {@code currentImage}: what an image rebuild or a new
     * guest init left behind once the last box over them is gone. Bases of the current image stay (the next box of
     * that size reuses them, and a create in progress may be about to name one), so this never races a create.
     *
     * @param overlays the maps of every box's root disk on this host
     * @return the bases removed
     */
    public List<Path> removeUnused(Path currentImage, java.util.Collection<Path> overlays) throws IOException {
        java.util.Set<Path> named = new java.util.HashSet<>();
        for (Path ov : overlays) {
            try {
                named.add(boxd.vmm.devices.virtio.block.CowBlockBackend.readHeader(ov).base());
            } catch (IOException unreadable) {
                return List.of();  // a map that cannot be read may name any base: remove nothing
            }
        }
        List<Path> removed = new java.util.ArrayList<>();
        for (Path base : list()) {
            if (named.contains(base) || isCurrent(base, currentImage)) continue;
            synchronized (building.computeIfAbsent(base.getFileName().toString(), k -> new Object())) {
                if (Files.deleteIfExists(base)) removed.add(base);
            }
        }
        return removed;
    }

    /** Whether {@code base} ({@code root-<GiB>g-<KEY>.ext4}) is what {@link #pathFor} names for the current image. */
    private boolean isCurrent(Path base, Path currentImage) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("root-(\\d{1,6})g-[0-9a-f]+\\.ext4")
                .matcher(base.getFileName().toString());
        if (!m.matches()) return true;  // not a name this class makes: leave it alone
        try {
            return Files.isRegularFile(currentImage) && pathFor(currentImage, Integer.parseInt(m.group(1))).equals(base);
        } catch (IOException e) {
            return true;
        }
    }

    private void removeLeftovers() throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(LEFTOVER_AGE));
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-root-")).toList()) {
                if (Files.getLastModifiedTime(p).compareTo(old) < 0) Files.deleteIfExists(p);
            }
        }
    }

    /** First 16 hex digits of SHA-256 over the base's inputs. */
    static String key(Path imageExt4, int diskGb, String guestInit) throws IOException {
        Path image = imageExt4.toAbsolutePath().normalize();
        BasicFileAttributes a = Files.readAttributes(image, BasicFileAttributes.class);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(FORMAT, image.toString(), Long.toString(a.size()),
                    Long.toString(a.lastModifiedTime().to(TimeUnit.NANOSECONDS)), String.valueOf(a.fileKey()),
                    Integer.toString(diskGb), guestInit)) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "VmBaseDisks[" + dir + "]";
    }
}
