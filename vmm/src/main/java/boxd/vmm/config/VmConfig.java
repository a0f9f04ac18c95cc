package boxd.vmm.config;

import java.util.List;

/**
 * Everything a VM is built from. {@code pvmWorkarounds}: null = decide from the host's KVM kind; true/false forces
 * the CPUID hiding, kernel parameters and INT3 handling that KVM's instruction emulator needs.
 */
public record VmConfig(String name, MachineConfig machine, BootConfig boot, List<BlockConfig> disks, NetConfig net,
                       VsockConfig vsock, ConsoleConfig console, Boolean pvmWorkarounds) {
    public VmConfig {
        if (name == null || name.isBlank()) name = "vm";
        disks = disks == null ? List.of() : List.copyOf(disks);
        if (console == null) console = ConsoleConfig.discard();
    }

    public static VmConfig of(String name, MachineConfig machine, BootConfig boot) {
        return new VmConfig(name, machine, boot, List.of(), null, null, null, null);
    }

    public VmConfig withDisks(List<BlockConfig> d) { return new VmConfig(name, machine, boot, d, net, vsock, console, pvmWorkarounds); }
    public VmConfig withNet(NetConfig n) { return new VmConfig(name, machine, boot, disks, n, vsock, console, pvmWorkarounds); }
    public VmConfig withVsock(VsockConfig v) { return new VmConfig(name, machine, boot, disks, net, v, console, pvmWorkarounds); }
    public VmConfig withConsole(ConsoleConfig c) { return new VmConfig(name, machine, boot, disks, net, vsock, c, pvmWorkarounds); }
    public VmConfig withPvmWorkarounds(Boolean p) { return new VmConfig(name, machine, boot, disks, net, vsock, console, p); }
}
