/** Port-I/O and MMIO buses and the interrupt line devices pulse. Devices never touch JNA or KVM. */
package boxd.vmm.devices;
