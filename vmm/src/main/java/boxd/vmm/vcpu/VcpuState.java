package boxd.vmm.vcpu;

/** A vCPU thread's state. {@code Created --start--> Running <--> Paused; any --> Stopped}. */
public enum VcpuState { CREATED, RUNNING, PAUSED, STOPPED }
