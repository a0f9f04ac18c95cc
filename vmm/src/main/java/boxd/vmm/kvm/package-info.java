/** Java objects over the KVM system, VM and vCPU fds; every failure is a KvmException naming the ioctl and errno. */
package boxd.vmm.kvm;
