package boxd.vmm.cli;

import boxd.vmm.devices.virtio.block.CowBlockBackend;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code boxd vmm disk info|flatten}: an operator's look at a copy-on-write disk (a vm box's {@code root.cow}) with host
 * tools. {@code info} prints what its map says and how much of the disk it holds; {@code flatten} writes the whole
 * virtual disk to a raw image that {@code e2fsck}, {@code debugfs} or a loop mount can read. Neither changes the disk.
 */
public final class VmmDiskCommand {
    public static final String USAGE = "usage: boxd vmm disk info OVERLAY | boxd vmm disk flatten OVERLAY OUT.raw";

    private VmmDiskCommand() {}

    /** @return 0 done, 1 the disk could not be read or written, 2 bad arguments */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            switch (args[0]) {
                case "info" -> {
                    if (args.length != 2) return usage(err, "info takes the overlay's map file (a box's root.cow)");
                    info(Path.of(args[1]), out);
                }
                case "flatten" -> {
                    if (args.length != 3) return usage(err, "flatten takes the overlay's map file and where to write the raw image");
                    Path target = Path.of(args[2]);
                    if (Files.exists(target)) {
                        err.println("boxd vmm disk: " + target + " exists; name a new file (nothing was written)");
                        return 1;
                    }
                    CowBlockBackend.flatten(Path.of(args[1]), target);
                    out.println("wrote " + target + " (" + Files.size(target) + " bytes)");
                }
                default -> {
                    return usage(err, "unknown disk command '" + args[0] + "' (info or flatten)");
                }
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("boxd vmm disk: " + e.getMessage());
            return 1;
        }
    }

    private static void info(Path overlay, PrintStream out) throws IOException {
        try (CowBlockBackend d = CowBlockBackend.open(overlay, true)) {
            CowBlockBackend.Header h = d.header();
            long written = d.allocatedClusters() * h.clusterSize();
            out.println("overlay:   " + overlay.toAbsolutePath().normalize());
            out.println("base:      " + h.base() + " (" + h.baseSize() + " bytes, first 64 KiB sha256 " + h.baseSha256() + ")");
            out.println("size:      " + h.virtualSize() + " bytes");
            out.println("clusters:  " + h.clusterSize() + " bytes each, " + d.allocatedClusters() + " of " + h.clusters()
                    + " written by this disk (" + written + " bytes)");
        }
    }

    private static int usage(PrintStream err, String why) {
        err.println("boxd vmm disk: " + why);
        err.println(USAGE);
        return 2;
    }
}
