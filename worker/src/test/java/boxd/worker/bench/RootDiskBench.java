package boxd.worker.bench;

import boxd.common.testing.Cmd;
import boxd.worker.testing.TestImages;
import boxd.worker.vm.VmBaseDisks;
import boxd.worker.vm.VmBoxFiles;
import boxd.worker.vm.VmDisks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Time to make a vm box's root disk, and the host disk it takes, before and after copy-on-write root disks: a full
 * copy per box (sparse copy of the image, truncate, resize2fs, debugfs: what every box paid before, and what a base
 * now costs once per image and size) against a copy-on-write overlay over a base that exists (every later box).
 * Works in a directory under /var/tmp (a disk, like a data dir), removed at the end.
 *
 * <p>Run with bench/vmm/root-disk.sh [DISK_GB=2] [BOXES=10] [IMAGE_EXT4]. Needs root when it must find (or build)
 * the test image itself.
 */
public final class RootDiskBench {
    public static void main(String[] args) throws Exception {
        int gb = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int boxes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path image = args.length > 2 ? Path.of(args[2]) : TestImages.rootfs().ext4();
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "boxd-rootdisk-bench");
        try {
            System.out.printf("== vm root disk: %d GiB disk, image %s (%d MiB, %d MiB allocated) ==%n", gb, image,
                    Files.size(image) >> 20, allocated(image) >> 20);
            List<Long> fullMs = new ArrayList<>();
            long fullBytes = 0;
            for (int i = 0; i < 3; i++) {
                Path out = dir.resolve("full-" + i + ".ext4");
                long t0 = System.nanoTime();
                VmDisks.makeRootImage(image, out, gb, "bench");
                fullMs.add((System.nanoTime() - t0) / 1_000_000);
                fullBytes = allocated(out);
                Files.delete(out);
            }
            VmBaseDisks bases = new VmBaseDisks(dir.resolve("bases"));
            long t0 = System.nanoTime();
            VmDisks.makeRootOverlay(bases, image, box(dir, 0), gb, "b0");
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            List<Long> overlayUs = new ArrayList<>();
            long overlayBytes = 0;
            for (int i = 1; i <= boxes; i++) {
                VmBoxFiles f = box(dir, i);
                long t = System.nanoTime();
                VmDisks.makeRootOverlay(bases, image, f, gb, "b" + i);
                overlayUs.add((System.nanoTime() - t) / 1000);
                overlayBytes = allocated(f.rootOverlay()) + allocated(f.dir().resolve("root.cow.data"));
            }
            Collections.sort(fullMs);
            Collections.sort(overlayUs);
            System.out.printf("before: full copy per box (cp + truncate + resize2fs + debugfs), median of 3: %d ms"
                    + " (min %d, max %d); %d MiB allocated per box%n", fullMs.get(1), fullMs.get(0), fullMs.get(2), fullBytes >> 20);
            System.out.printf("after: first box of an image and size (makes the shared base, then its overlay): %d ms;"
                    + " the base holds %d MiB%n", firstMs, allocated(bases.pathFor(image, gb)) >> 20);
            System.out.printf("after: every later box (copy-on-write overlay over the base), median of %d: %.2f ms"
                    + " (min %.2f, max %.2f); %d KiB allocated per box%n", boxes, overlayUs.get(boxes / 2) / 1000.0,
                    overlayUs.get(0) / 1000.0, overlayUs.get(boxes - 1) / 1000.0, overlayBytes >> 10);
        } finally {
            Cmd.run("rm", "-rf", "--one-file-system", dir.toString());
        }
    }

    private static VmBoxFiles box(Path dir, int i) throws Exception {
        VmBoxFiles f = new VmBoxFiles(dir.resolve("box-" + i));
        Files.createDirectories(f.dir());
        return f;
    }

    private static long allocated(Path p) {
        return Long.parseLong(Cmd.run("stat", "-c", "%b", p.toString()).requireSuccess().stdout().strip()) * 512;
    }

    private RootDiskBench() {}
}
