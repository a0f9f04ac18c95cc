package boxd.app.image;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.worker.image.RootfsImage;

/**
 * The default root filesystem (Debian bookworm by debootstrap, as a directory for ns boxes and an ext4 image for vm
 * boxes). The worker module's {@link RootfsImage} owns the recipe and its cache ({@code images/rootfs-HASH/}); this
 * runs it with visible progress.
 */
public final class Rootfs {
    private Rootfs() {}

    /** {@return the built (or cached) image} @throws ImageException naming what is missing or what failed */
    public static RootfsImage.Built build(DataDir data, PrintStream out) {
        Progress progress = new Progress(out, "rootfs");
        RootfsImage image = new RootfsImage(data.images());
        var cached = image.cached();
        if (cached.isPresent()) {
            progress.phase("cached: " + cached.get().dir() + " (root/ and rootfs.ext4)");
            return cached.get();
        }
        List<String> missing = RootfsImage.missingTools();
        if (!missing.isEmpty()) {
            throw new ImageException("cannot build the root filesystem: missing host tools: " + String.join(", ", missing)
                    + " (./run-tests installs everything listed in .ci/packages)");
        }
        progress.phase("building Debian " + image.spec().suite() + " with " + String.join(", ", image.spec().packages())
                + " into " + image.dir());
        try {
            RootfsImage.Built built = image.ensure((phase, elapsed) -> progress.phase(phase));
            progress.phase("ready: " + built.root() + " and " + built.ext4());
            return built;
        } catch (BoxdException e) {
            throw new ImageException("rootfs: " + e.getMessage() + (e.hint().isEmpty() ? "" : " (" + e.hint() + ")"), e);
        } catch (UncheckedIOException e) {
            throw new ImageException("rootfs: " + e.getMessage(), e);
        }
    }
}
