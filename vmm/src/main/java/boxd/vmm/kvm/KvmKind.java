package boxd.vmm.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code /dev/kvm} is on this host: hardware virtualization, PVM (kvm_pvm: ordinary guests are run by KVM's
 * instruction emulator, about 1 µs per instruction), or none.
 */
public enum KvmKind {
    HARDWARE("hardware"), PVM("pvm"), NONE("none");

    private final String label;

    KvmKind(String label) { this.label = label; }

    public String label() { return label; }

    public static KvmKind detect() {
        if (!Files.exists(Path.of("/dev/kvm"))) return NONE;
        if (Files.isDirectory(Path.of("/sys/module/kvm_pvm"))) return PVM;
        if (Files.isDirectory(Path.of("/sys/module/kvm_intel")) || Files.isDirectory(Path.of("/sys/module/kvm_amd"))) {
            return HARDWARE;
        }
        try {
            String cpu = Files.readString(Path.of("/proc/cpuinfo"));
            return cpu.contains(" vmx") || cpu.contains(" svm") ? HARDWARE : PVM;
        } catch (IOException e) {
            return HARDWARE;
        }
    }
}
