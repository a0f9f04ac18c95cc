/** Immutable records a VmmBuilder is given: machine, boot, disks, network, vsock, console. */
package boxd.vmm.config;
