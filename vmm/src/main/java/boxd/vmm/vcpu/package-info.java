/** One platform thread per vCPU, a Created/Running/Paused/Stopped state machine driven by sealed VcpuEvents. */
package boxd.vmm.vcpu;
