package boxd.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layout of a boxd data directory (default {@code ~/.local/share/boxd}). One place for every path, so roles
 * never build paths by hand.
 */
public record DataDir(Path root) {

    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("boxd");
    }

    public DataDir {
        root = root.toAbsolutePath().normalize();
    }

    /** Raft log, meta and snapshots. */
    public Path raft() { return root.resolve("raft"); }

    /** This node's SQLite replica. */
    public Path stateDb() { return root.resolve("state.db"); }

    /** Built guest images (kernel, root filesystems, initramfs), by input hash. */
    public Path images() { return root.resolve("images"); }

    /** Per-box runtime files: {@code boxes/<id>/}. */
    public Path boxes() { return root.resolve("boxes"); }

    public Path box(String boxId) { return boxes().resolve(boxId); }

    /** Host keys, the platform key, the proxy CA. */
    public Path keys() { return root.resolve("keys"); }

    /** Optional configuration file. */
    public Path configFile() { return root.resolve("boxd.toml"); }

    /** Creates the directory (and keys/ with mode 700) when missing; returns this. */
    public DataDir create() {
        try {
            Files.createDirectories(root);
            Files.createDirectories(keys());
            try {
                Files.setPosixFilePermissions(keys(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; nothing more to do
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + root + ": " + e.getMessage()
                    + " (choose another with --data)", e);
        }
    }
}
