package boxd.vmm.config;

import java.nio.file.Path;

/** A virtio-blk disk backed by a raw image file. {@code id} is what GET_ID returns (at most 20 bytes). */
public record BlockConfig(Path path, boolean readOnly, String id) {
    /** Parses the CLI form {@code PATH[,ro]}. */
    public static BlockConfig parse(String spec, int index) {
        boolean ro = spec.endsWith(",ro");
        String p = ro ? spec.substring(0, spec.length() - 3) : spec;
        return new BlockConfig(Path.of(p), ro, "boxd-disk" + index);
    }
}
