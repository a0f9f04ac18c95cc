package boxd.vmm.vcpu;

/** What the VMM asks of a vCPU thread. */
public sealed interface VcpuEvent permits VcpuEvent.Pause, VcpuEvent.Resume, VcpuEvent.Stop {
    /** {@code Running -- Pause --> Paused}: leave KVM_RUN and wait. */
    record Pause() implements VcpuEvent {}

    /** {@code Paused -- Resume --> Running}. */
    record Resume() implements VcpuEvent {}

    /** {@code any -- Stop --> Stopped}: the thread ends. */
    record Stop() implements VcpuEvent {}
}
