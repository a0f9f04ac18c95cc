package boxd.app.doctor;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Raw readings from the host that {@link Doctor} judges. Gathered by {@link HostProbe}; tests build them by hand.
 *
 * @param cpuFlags        the flags of the first CPU in /proc/cpuinfo (only vmx/svm matter); empty if unreadable
 * @param modules         loaded kernel modules (from /proc/modules and /sys/module)
 * @param modulesSource   where {@code modules} was read, for the evidence line
 * @param devKvm          state of /dev/kvm
 * @param devNetTun       whether /dev/net/tun exists
 * @param netns           whether new pid/mount/uts/ipc/net namespaces could be made, and how that was tried
 * @param filesystems     file system types in /proc/filesystems
 * @param cgroupVersion   "v2", "v1", "hybrid" or "none"
 * @param cgroupControllers controllers available to boxd
 * @param root            whether boxd runs as root (namespaces, mounts, bridges need it)
 * @param dataDir         the data directory (it may not exist yet)
 * @param freeBytes       usable bytes on its file system (-1 when unknown)
 * @param freeAt          the existing directory that was measured
 * @param javaVersion     Runtime.version()
 * @param javaHome        java.home
 */
public record HostFacts(Set<String> cpuFlags, Set<String> modules, String modulesSource, DeviceState devKvm,
                        boolean devNetTun, Probe netns, Set<String> filesystems, String cgroupVersion,
                        List<String> cgroupControllers, boolean root, Path dataDir, long freeBytes, Path freeAt,
                        String javaVersion, String javaHome) {

    /** Whether a device node exists and whether we may open it read-write. */
    public enum DeviceState { MISSING, NO_ACCESS, ACCESSIBLE }

    /** The outcome of trying something, with what was tried or what went wrong. */
    public record Probe(boolean ok, String detail) {}
}
