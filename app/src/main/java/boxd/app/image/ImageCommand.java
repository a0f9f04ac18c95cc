package boxd.app.image;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import boxd.common.DataDir;
import boxd.worker.image.RootfsImage;

/** {@code boxd image build [kernel|rootfs|initramfs]...} and {@code boxd image list}. */
public final class ImageCommand {
    public static final List<String> ARTIFACTS = List.of("kernel", "rootfs", "initramfs");

    private ImageCommand() {}

    /** Builds the named artifacts (all when none named), going on after a failure; {@return 0 when all were built} */
    public static int build(DataDir data, List<String> which, PrintStream out, PrintStream err) {
        List<String> todo = which.isEmpty() ? ARTIFACTS : which;
        for (String a : todo) {
            if (!ARTIFACTS.contains(a)) {
                err.println("boxd image build: unknown image '" + a + "'; images: " + String.join(", ", ARTIFACTS));
                return 2;
            }
        }
        ImageStore store = new ImageStore(data.images());
        List<String> failed = new ArrayList<>();
        long start = System.nanoTime();
        for (String a : todo) {
            try {
                switch (a) {
                    case "kernel" -> GuestKernel.build(store, out);
                    case "rootfs" -> Rootfs.build(data, out);
                    case "initramfs" -> TestInitramfs.build(store, out);
                    default -> throw new AssertionError(a);
                }
            } catch (ImageException e) {
                err.println("boxd image build: " + e.getMessage());
                failed.add(a);
            } catch (IOException e) {
                err.println("boxd image build: " + a + ": " + e.getMessage());
                failed.add(a);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("boxd image build: interrupted during " + a);
                return 130;
            }
        }
        String took = Progress.format(java.time.Duration.ofNanos(System.nanoTime() - start));
        if (failed.isEmpty()) {
            out.println("images ready in " + data.images() + " (" + took + ")");
            return 0;
        }
        err.println("boxd image build: not built: " + String.join(", ", failed) + " (" + took + ")");
        return 1;
    }

    public static int list(DataDir data, PrintStream out) {
        List<ImageStore.Entry> entries = new ArrayList<>(new ImageStore(data.images()).list());
        entries.addAll(rootfsEntries(data));
        if (entries.isEmpty()) {
            out.println("no images in " + data.images() + " (build them with: boxd image build)");
            return 0;
        }
        out.printf("%-10s %-17s %-8s %10s  %s%n", "IMAGE", "KEY", "CURRENT", "SIZE", "BUILT");
        for (ImageStore.Entry e : entries) {
            out.printf("%-10s %-17s %-8s %10s  %s%n", e.artifact(), e.key(), e.current() ? "yes" : "",
                    mib(e.bytes()), e.builtAt());
        }
        out.println("in " + data.images());
        return 0;
    }

    /** The worker's root filesystem images ({@code images/rootfs-HASH/} with COMPLETE); the default one is current. */
    private static List<ImageStore.Entry> rootfsEntries(DataDir data) {
        List<ImageStore.Entry> out = new ArrayList<>();
        String current = new RootfsImage(data.images()).hash();
        try (var dirs = Files.list(data.images())) {
            for (Path d : dirs.sorted().toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith("rootfs-") || !Files.isRegularFile(d.resolve("COMPLETE"))) continue;
                String key = name.substring("rootfs-".length());
                out.add(new ImageStore.Entry("rootfs", key, key.equals(current), ImageStore.size(d),
                        Files.getLastModifiedTime(d.resolve("COMPLETE")).toInstant().toString(), d));
            }
        } catch (IOException e) {
            // no images directory yet: nothing to list
        }
        return out;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** The kernel build directory, for callers that boot it. */
    public static Path currentKernel(DataDir data) {
        return data.images().resolve("kernel").resolve("current");
    }
}
