package boxd.vmm.config;

/** vCPUs and memory. {@code memfd} backs guest RAM with a memfd (shareable for snapshots and forks) instead of anonymous memory. */
public record MachineConfig(int vcpus, long memoryBytes, boolean memfd) {
    public MachineConfig {
        if (vcpus < 1 || vcpus > 254) throw new IllegalArgumentException("vcpus must be 1-254, got " + vcpus);
        if (memoryBytes < (16L << 20) || (memoryBytes & 0xFFFFF) != 0) {
            throw new IllegalArgumentException("memory must be at least 16 MiB and a multiple of 1 MiB, got " + memoryBytes);
        }
    }

    /** Parses sizes like {@code 256M}, {@code 1G}, {@code 1048576}. */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        if (t.endsWith("IB")) t = t.substring(0, t.length() - 2);
        if (t.endsWith("K")) mult = 1L << 10;
        else if (t.endsWith("M")) mult = 1L << 20;
        else if (t.endsWith("G")) mult = 1L << 30;
        if (mult != 1) t = t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (use e.g. 256M or 1G)");
        }
    }
}
