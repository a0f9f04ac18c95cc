package boxd.vmm.kvm;

import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.Sys;

/** A KVM VM fd: memory slots, the in-kernel irqchip and PIT, irqfd/ioeventfd, and vCPU creation. */
public final class VmFd implements AutoCloseable {
    private final Kvm kvm;
    private final int fd;

    VmFd(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    private int ioctl(long req, long arg, String name) {
        return KvmIoctl.call(fd, req, arg, name);
    }

    public void setTssAddr(long addr) { ioctl(KvmAbi.KVM_SET_TSS_ADDR, addr, "KVM_SET_TSS_ADDR"); }

    public void setIdentityMapAddr(long addr) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_IDENTITY_MAP_ADDR, "KVM_SET_IDENTITY_MAP_ADDR", 8, b -> b.putI64(0, addr));
    }

    public void createIrqchip() { ioctl(KvmAbi.KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP"); }

    public void createPit2() {
        KvmIoctl.set(fd, KvmAbi.KVM_CREATE_PIT2, "KVM_CREATE_PIT2", KvmAbi.SIZEOF_KVM_PIT_CONFIG,
                b -> b.putI32(KvmAbi.OFF_PIT_CONFIG_FLAGS, KvmAbi.KVM_PIT_SPEAKER_DUMMY));
    }

    public void setUserMemoryRegion(int slot, long guestPhysAddr, long size, long hostAddr) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_USER_MEMORY_REGION, "KVM_SET_USER_MEMORY_REGION", KvmAbi.SIZEOF_KVM_USERSPACE_MEMORY_REGION, b -> {
            b.putI32(KvmAbi.OFF_MEMREGION_SLOT, slot);
            b.putI64(KvmAbi.OFF_MEMREGION_GUEST_PHYS_ADDR, guestPhysAddr);
            b.putI64(KvmAbi.OFF_MEMREGION_MEMORY_SIZE, size);
            b.putI64(KvmAbi.OFF_MEMREGION_USERSPACE_ADDR, hostAddr);
        });
    }

    /** Routes writes to {@code eventFd} into interrupt line {@code gsi} (edge: one pulse per write). */
    public void irqfd(int eventFd, int gsi) {
        KvmIoctl.set(fd, KvmAbi.KVM_IRQFD, "KVM_IRQFD", KvmAbi.SIZEOF_KVM_IRQFD, b -> {
            b.putI32(KvmAbi.OFF_IRQFD_FD, eventFd);
            b.putI32(KvmAbi.OFF_IRQFD_GSI, gsi);
        });
    }

    /** Turns guest MMIO writes of {@code len} bytes equal to {@code datamatch} at {@code addr} into eventfd signals. */
    public void ioeventfd(int eventFd, long addr, int len, long datamatch) {
        KvmIoctl.set(fd, KvmAbi.KVM_IOEVENTFD, "KVM_IOEVENTFD", KvmAbi.SIZEOF_KVM_IOEVENTFD, b -> {
            b.putI64(KvmAbi.OFF_IOEVENTFD_DATAMATCH, datamatch);
            b.putI64(KvmAbi.OFF_IOEVENTFD_ADDR, addr);
            b.putI32(KvmAbi.OFF_IOEVENTFD_LEN, len);
            b.putI32(KvmAbi.OFF_IOEVENTFD_FD, eventFd);
            b.putI32(KvmAbi.OFF_IOEVENTFD_FLAGS, KvmAbi.KVM_IOEVENTFD_FLAG_DATAMATCH);
        });
    }

    public void irqLine(int irq, boolean level) {
        KvmIoctl.set(fd, KvmAbi.KVM_IRQ_LINE, "KVM_IRQ_LINE", KvmAbi.SIZEOF_KVM_IRQ_LEVEL, b -> {
            b.putI32(KvmAbi.OFF_IRQ_LEVEL_IRQ, irq);
            b.putI32(KvmAbi.OFF_IRQ_LEVEL_LEVEL, level ? 1 : 0);
        });
    }

    public VcpuFd createVcpu(int id) {
        int vfd = ioctl(KvmAbi.KVM_CREATE_VCPU, id, "KVM_CREATE_VCPU");
        try {
            return new VcpuFd(id, vfd, kvm.vcpuMmapSize());
        } catch (RuntimeException e) {
            Sys.close(vfd);
            throw e;
        }
    }

    @Override
    public void close() { Sys.close(fd); }
}
