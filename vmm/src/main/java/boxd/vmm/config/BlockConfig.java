package boxd.vmm.config;

import java.nio.file.Path;

/**
 * A virtio-blk disk. With no {@code base}, {@code path} is a raw image file. With a {@code base}, {@code path} is the
 * map of a copy-on-write overlay over that read-only raw image ({@link boxd.vmm.devices.virtio.block.CowBlockBackend}:
 * the map must name this base, its data sits in {@code path.data}). {@code id} is what GET_ID returns (at most 20 bytes).
 */
public record BlockConfig(Path path, boolean readOnly, String id, Path base) {
    /** A disk on a raw image file. */
    public BlockConfig(Path path, boolean readOnly, String id) {
        this(path, readOnly, id, null);
    }

    /** {@return whether this disk is a copy-on-write overlay over {@link #base}} */
    public boolean copyOnWrite() { return base != null; }

    /**
     * Parses the CLI form {@code PATH[,ro][,base=IMAGE]} (options in any order after the path): {@code base=} makes
     * PATH a copy-on-write overlay over IMAGE.
     */
    public static BlockConfig parse(String spec, int index) {
        boolean ro = false;
        Path base = null;
        String p = spec;
        // options are peeled off the end, so a path with a comma still works unless its tail looks like an option
        for (int comma = p.lastIndexOf(','); comma >= 0; comma = p.lastIndexOf(',')) {
            String opt = p.substring(comma + 1);
            if (opt.equals("ro")) ro = true;
            else if (opt.startsWith("base=") && opt.length() > 5 && base == null) base = Path.of(opt.substring(5));
            else break;
            p = p.substring(0, comma);
        }
        if (p.isEmpty()) throw new IllegalArgumentException("--disk " + spec + " names no file");
        return new BlockConfig(Path.of(p), ro, "boxd-disk" + index, base);
    }
}
