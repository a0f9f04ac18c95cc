package boxd.vmm;

/** How a VM ended. */
public record VmExit(Reason reason, String detail) {
    public enum Reason {
        /** The guest powered off. */
        POWEROFF,
        /** The guest rebooted (i8042 reset or reset event); the VMM ends the VM rather than restarting it. */
        REBOOT,
        /** The guest triple-faulted. */
        TRIPLE_FAULT,
        /** The host stopped it. */
        STOPPED,
        /** Something failed that the VM cannot survive (entry failure, emulation failure, a device error). */
        CRASHED
    }

    /** {@return a process exit code for the CLI: 0 for poweroff/reboot/stop, 1 otherwise} */
    public int exitCode() {
        return switch (reason) {
            case POWEROFF, REBOOT, STOPPED -> 0;
            case TRIPLE_FAULT, CRASHED -> 1;
        };
    }
}
