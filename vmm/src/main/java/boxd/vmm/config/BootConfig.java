package boxd.vmm.config;

import java.nio.file.Path;

/** The kernel (vmlinux ELF or bzImage), an optional initrd, and the kernel command line before the VMM adds its devices. */
public record BootConfig(Path kernel, Path initrd, String cmdline) {
    public BootConfig {
        if (kernel == null) throw new IllegalArgumentException("a kernel is required");
        if (cmdline == null) cmdline = "";
    }
}
