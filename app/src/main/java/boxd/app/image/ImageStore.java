package boxd.app.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import boxd.common.Json;

/**
 * The image cache under {@code DATA/images}: {@code ARTIFACT/KEY/} holds one build (KEY = {@link InputHash#key()}),
 * complete once its {@code manifest.json} exists; {@code ARTIFACT/current} links to the build last asked for, which is
 * where other roles find it ({@code images/kernel/current/vmlinux}). A build is made in {@code KEY.tmp} and renamed
 * into place, so an interrupted build never looks complete.
 */
public final class ImageStore {
    public static final String MANIFEST = "manifest.json";
    private final Path root;

    public ImageStore(Path imagesDir) {
        this.root = imagesDir;
    }

    public Path root() { return root; }

    public Path entry(String artifact, String key) {
        return root.resolve(artifact).resolve(key);
    }

    public boolean isComplete(Path entry) {
        return Files.isRegularFile(entry.resolve(MANIFEST));
    }

    /** {@return an empty scratch directory for building KEY} */
    public Path begin(String artifact, String key) throws IOException {
        Path tmp = root.resolve(artifact).resolve(key + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        return tmp;
    }

    /** Writes the manifest into {@code tmp} and renames it to the entry. */
    public void commit(String artifact, String key, Path tmp, Map<String, String> details) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("artifact", artifact);
        m.put("key", key);
        m.put("built_at", Instant.now().toString());
        m.putAll(details);
        Files.writeString(tmp.resolve(MANIFEST), Json.write(m) + "\n");
        Path dest = entry(artifact, key);
        deleteTree(dest);
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Points {@code ARTIFACT/current} at KEY (replacing the link atomically). */
    public void markCurrent(String artifact, String key) throws IOException {
        Path link = root.resolve(artifact).resolve("current");
        Path tmp = root.resolve(artifact).resolve("current.tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(key));
        Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** One complete build, for {@code image list}. */
    public record Entry(String artifact, String key, boolean current, long bytes, String builtAt, Path dir) {}

    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> artifacts = Files.list(root)) {
            for (Path a : artifacts.sorted().toList()) {
                if (!Files.isDirectory(a, LinkOption.NOFOLLOW_LINKS)) continue;
                String current = "";
                Path link = a.resolve("current");
                if (Files.isSymbolicLink(link)) current = Files.readSymbolicLink(link).toString();
                try (Stream<Path> keys = Files.list(a)) {
                    for (Path k : keys.sorted().toList()) {
                        if (Files.isSymbolicLink(k) || !isComplete(k)) continue;
                        String builtAt = "";
                        try {
                            Object v = Json.parseObject(Files.readString(k.resolve(MANIFEST))).get("built_at");
                            builtAt = v == null ? "" : v.toString();
                        } catch (IllegalArgumentException ignored) {
                            // a damaged manifest still lists the entry
                        }
                        String key = k.getFileName().toString();
                        out.add(new Entry(a.getFileName().toString(), key, key.equals(current), size(k), builtAt, k));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    static long size(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
