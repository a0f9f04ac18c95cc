package boxd.app.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import boxd.app.config.BoxdConfig;

/**
 * Judges {@link HostFacts}: which KVM kind the host has (and the evidence), whether each thing a runtime needs is
 * there, and which runtime {@code serve} will use. Pure: no I/O, so it is tested on canned facts.
 */
public final class Doctor {
    /** Below this much free space in the data dir, building the images (about 2 GiB with the kernel tree) may fail. */
    static final long LOW_DISK_BYTES = 4L << 30;

    private Doctor() {}

    public static Diagnosis diagnose(HostFacts f, BoxdConfig.Runtime requested) {
        List<String> evidence = new ArrayList<>();
        KvmKind kind = kvmKind(f, evidence);

        List<Diagnosis.Check> checks = new ArrayList<>();
        String kvmDev = switch (f.devKvm()) {
            case MISSING -> "missing";
            case NO_ACCESS -> "present, not accessible";
            case ACCESSIBLE -> "present, read-write";
        };
        checks.add(new Diagnosis.Check("dev_kvm", f.devKvm() == HostFacts.DeviceState.ACCESSIBLE || kind != KvmKind.HARDWARE,
                kvmDev, f.devKvm() == HostFacts.DeviceState.MISSING && !f.modules().isEmpty() && kind != KvmKind.NONE
                        ? "KVM modules are loaded but /dev/kvm is missing: if /proc/misc lists kvm, create it with"
                        + " mknod /dev/kvm c 10 MINOR; if not, this kernel or container exposes no KVM device" : "/dev/kvm"));
        checks.add(new Diagnosis.Check("tun", f.devNetTun(), f.devNetTun() ? "present" : "missing",
                f.devNetTun() ? "/dev/net/tun (taps for vm boxes)" : "/dev/net/tun missing: vm boxes need taps (modprobe tun)"));
        checks.add(new Diagnosis.Check("netns", f.netns().ok(), f.netns().ok() ? "works" : "unavailable", f.netns().detail()));
        boolean overlay = f.filesystems().contains("overlay");
        checks.add(new Diagnosis.Check("overlayfs", overlay, overlay ? "available" : "missing",
                overlay ? "overlay in /proc/filesystems" : "no overlay in /proc/filesystems (modprobe overlay)"));
        boolean cgroupOk = !f.cgroupVersion().equals("none");
        checks.add(new Diagnosis.Check("cgroup", cgroupOk, f.cgroupVersion()
                + (f.cgroupControllers().isEmpty() ? "" : " (" + String.join(", ", f.cgroupControllers()) + ")"),
                cgroupOk ? cgroupEvidence(f.cgroupVersion()) : "no cgroup hierarchy mounted under /sys/fs/cgroup"));
        checks.add(new Diagnosis.Check("root", f.root(), f.root() ? "yes" : "no",
                f.root() ? "uid 0" : "namespaces, mounts and bridges need root: run serve as root"));
        boolean diskOk = f.freeBytes() < 0 || f.freeBytes() >= LOW_DISK_BYTES;
        checks.add(new Diagnosis.Check("disk", diskOk, f.freeBytes() < 0 ? "unknown"
                : gib(f.freeBytes()) + " free in " + f.dataDir(), "measured at " + f.freeAt()
                + (diskOk ? "" : "; images need about 4 GiB while building")));
        int feature = parseFeature(f.javaVersion());
        checks.add(new Diagnosis.Check("java", feature >= 21, f.javaVersion(), f.javaHome()
                + (feature >= 21 ? "" : "; boxd needs Java 21 or newer")));

        List<String> vmMissing = new ArrayList<>();
        if (kind != KvmKind.HARDWARE) vmMissing.add("KVM is " + kind.label() + ", not hardware");
        else if (f.devKvm() != HostFacts.DeviceState.ACCESSIBLE) vmMissing.add("/dev/kvm is " + kvmDev);
        if (!f.devNetTun()) vmMissing.add("/dev/net/tun is missing");
        if (!f.root()) vmMissing.add("not root");
        List<String> nsMissing = new ArrayList<>();
        if (!f.root()) nsMissing.add("not root");
        if (!f.netns().ok()) nsMissing.add("namespaces do not work (" + f.netns().detail() + ")");
        if (!overlay) nsMissing.add("no overlayfs");
        if (!cgroupOk) nsMissing.add("no cgroups");

        Optional<String> runtime;
        String why;
        switch (requested) {
            case VM -> {
                runtime = vmMissing.isEmpty() ? Optional.of("vm") : Optional.empty();
                why = vmMissing.isEmpty() ? "--runtime vm: hardware KVM with /dev/kvm, boxes are KVM microVMs"
                        : "--runtime vm was asked for, but " + String.join("; ", vmMissing) + " (use --runtime auto or ns)";
            }
            case NS -> {
                runtime = nsMissing.isEmpty() ? Optional.of("ns") : Optional.empty();
                why = nsMissing.isEmpty() ? "--runtime ns: boxes are Linux namespaces with an overlayfs root"
                        : "--runtime ns was asked for, but " + String.join("; ", nsMissing);
            }
            default -> {
                if (vmMissing.isEmpty()) {
                    runtime = Optional.of("vm");
                    why = "hardware KVM with /dev/kvm: boxes are KVM microVMs";
                } else if (nsMissing.isEmpty()) {
                    runtime = Optional.of("ns");
                    why = "not vm because " + String.join("; ", vmMissing)
                            + ", so boxes are Linux namespaces (pid/mount/uts/ipc/net, overlayfs root, cgroup limits)";
                } else {
                    runtime = Optional.empty();
                    why = "not vm because " + String.join("; ", vmMissing) + "; not ns because " + String.join("; ", nsMissing);
                }
            }
        }
        return new Diagnosis(kind, evidence, checks, runtime, why, f);
    }

    /** Classifies KVM, appending the evidence lines. */
    static KvmKind kvmKind(HostFacts f, List<String> evidence) {
        boolean vmx = f.cpuFlags().contains("vmx");
        boolean svm = f.cpuFlags().contains("svm");
        boolean intel = f.modules().contains("kvm_intel");
        boolean amd = f.modules().contains("kvm_amd");
        boolean pvm = f.modules().contains("kvm_pvm");
        boolean dev = f.devKvm() != HostFacts.DeviceState.MISSING;
        evidence.add("/proc/cpuinfo flags: " + (vmx ? "vmx" : svm ? "svm" : "neither vmx nor svm"));
        List<String> kvmMods = f.modules().stream().filter(m -> m.equals("kvm") || m.startsWith("kvm_")).sorted().toList();
        evidence.add("kvm modules (" + f.modulesSource() + "): " + (kvmMods.isEmpty() ? "none" : String.join(", ", kvmMods)));
        evidence.add("/dev/kvm: " + (dev ? "present" : "missing"));
        if ((vmx && intel) || (svm && amd)) return KvmKind.HARDWARE;
        if (pvm) return KvmKind.PVM;
        if (dev && !vmx && !svm) {
            evidence.add("/dev/kvm exists without vmx/svm: taken as PVM (or another software KVM)");
            return KvmKind.PVM;
        }
        if (vmx || svm) {
            evidence.add("the CPU has " + (vmx ? "VT-x" : "AMD-V") + " but " + (vmx ? "kvm_intel" : "kvm_amd")
                    + " is not loaded (modprobe " + (vmx ? "kvm_intel" : "kvm_amd") + ")");
        }
        return KvmKind.NONE;
    }

    private static String cgroupEvidence(String version) {
        return switch (version) {
            case "v2" -> "/sys/fs/cgroup/cgroup.controllers";
            case "hybrid" -> "v1 hierarchies in /proc/cgroups plus /sys/fs/cgroup/unified";
            default -> "v1 hierarchies in /proc/cgroups mounted under /sys/fs/cgroup";
        };
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    static int parseFeature(String version) {
        try {
            return Runtime.Version.parse(version).feature();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }
}
