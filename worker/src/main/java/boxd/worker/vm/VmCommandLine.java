package boxd.worker.vm;

import boxd.vmm.cli.VmmRunCommand;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.BoxLaunch;

/**
 * The kernel command line of a vm box (before the VMM appends its virtio-mmio devices and, under PVM, its emulation
 * workarounds): serial console, root disk {@code /dev/vda} read-write, the guest init, and the box's address by the
 * kernel's own IP autoconfiguration ({@code ip=ADDR::GATEWAY:NETMASK:HOSTNAME:eth0:off:DNS}), which also sets the
 * hostname. Keys and host keys do not fit here (the x86 limit is 2048 bytes): they come on the config disk.
 */
public final class VmCommandLine {
    private VmCommandLine() {}

    public static String of(BoxLaunch box) {
        return VmmRunCommand.DEFAULT_CMDLINE
                + " root=/dev/vda rw rootfstype=ext4"
                + " ip=" + box.ipv4() + "::" + box.gateway() + ":" + netmask(box.prefixLength()) + ":" + box.name() + ":eth0:off:"
                + box.gateway()
                + " init=" + VmBoxFiles.GUEST_INIT;
    }

    /** {@return the dotted netmask of a prefix length, e.g. 255.255.0.0 for 16} */
    public static String netmask(int prefixLength) {
        return BoxNetwork.netmask(prefixLength);
    }
}
