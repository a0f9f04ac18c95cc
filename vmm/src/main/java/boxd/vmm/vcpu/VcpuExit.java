package boxd.vmm.vcpu;

/** Why a vCPU ended the VM: the guest asked for it, or something went wrong that the VM cannot survive. */
public record VcpuExit(Reason reason, String detail) {
    public enum Reason {
        /** i8042 reset or a KVM reset system event: the guest's {@code reboot}. */
        RESET,
        /** KVM shutdown system event or a guest power-off. */
        POWEROFF,
        /** KVM_EXIT_SHUTDOWN: the guest triple-faulted. */
        TRIPLE_FAULT,
        /** VM entry failed, an instruction could not be emulated, or a device threw. */
        FAILED
    }
}
