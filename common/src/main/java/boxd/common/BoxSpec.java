package boxd.common;

/**
 * The size and image of a box as the user asked for it. Runtimes map it to vCPUs and guest memory (vm) or to cgroup
 * limits (ns); the disk size is enforced by both.
 */
public record BoxSpec(int cpus, int memoryMb, int diskGb, String image) {
    public static final String DEFAULT_IMAGE = "debian-bookworm";
    public static final BoxSpec DEFAULT = new BoxSpec(1, 512, 4, DEFAULT_IMAGE);

    public BoxSpec {
        if (cpus < 1 || cpus > 64) throw new BoxdException(ErrorCode.INVALID, "cpus must be 1-64, got " + cpus);
        if (memoryMb < 64 || memoryMb > 262_144)
            throw new BoxdException(ErrorCode.INVALID, "memory must be 64 MiB-256 GiB, got " + memoryMb + " MiB",
                    "write it as --mem=512M or --mem=2G");
        if (diskGb < 1 || diskGb > 2048)
            throw new BoxdException(ErrorCode.INVALID, "disk must be 1-2048 GiB, got " + diskGb, "write it as --disk=10G");
        if (image == null || image.isBlank()) image = DEFAULT_IMAGE;
    }
}
