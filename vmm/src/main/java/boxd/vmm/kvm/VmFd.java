package boxd.vmm.kvm;

import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import boxd.vmm.sys.SysException;

/** A KVM VM fd: memory slots, the in-kernel irqchip and PIT, irqfd/ioeventfd, and vCPU creation. */
public final class VmFd implements AutoCloseable {
    private final Kvm kvm;
    private final int fd;

    VmFd(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    private int ioctl(long req, long arg, String name) {
        try {
            return Sys.ioctl(fd, req, arg, name);
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    private int ioctl(long req, NativeBuffer arg, String name) {
        try {
            return Sys.ioctl(fd, req, arg, name);
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    public void setTssAddr(long addr) { ioctl(KvmAbi.KVM_SET_TSS_ADDR, addr, "KVM_SET_TSS_ADDR"); }

    public void setIdentityMapAddr(long addr) {
        try (NativeBuffer b = NativeBuffer.allocate(8)) {
            b.putI64(0, addr);
            ioctl(KvmAbi.KVM_SET_IDENTITY_MAP_ADDR, b, "KVM_SET_IDENTITY_MAP_ADDR");
        }
    }

    public void createIrqchip() { ioctl(KvmAbi.KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP"); }

    public void createPit2() {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_PIT_CONFIG)) {
            b.putI32(KvmAbi.OFF_PIT_CONFIG_FLAGS, KvmAbi.KVM_PIT_SPEAKER_DUMMY);
            ioctl(KvmAbi.KVM_CREATE_PIT2, b, "KVM_CREATE_PIT2");
        }
    }

    public void setUserMemoryRegion(int slot, long guestPhysAddr, long size, long hostAddr) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_USERSPACE_MEMORY_REGION)) {
            b.putI32(KvmAbi.OFF_MEMREGION_SLOT, slot);
            b.putI64(KvmAbi.OFF_MEMREGION_GUEST_PHYS_ADDR, guestPhysAddr);
            b.putI64(KvmAbi.OFF_MEMREGION_MEMORY_SIZE, size);
            b.putI64(KvmAbi.OFF_MEMREGION_USERSPACE_ADDR, hostAddr);
            ioctl(KvmAbi.KVM_SET_USER_MEMORY_REGION, b, "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /** Routes writes to {@code eventFd} into interrupt line {@code gsi} (edge: one pulse per write). */
    public void irqfd(int eventFd, int gsi) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_IRQFD)) {
            b.putI32(KvmAbi.OFF_IRQFD_FD, eventFd);
            b.putI32(KvmAbi.OFF_IRQFD_GSI, gsi);
            ioctl(KvmAbi.KVM_IRQFD, b, "KVM_IRQFD");
        }
    }

    /** Turns guest MMIO writes of {@code len} bytes equal to {@code datamatch} at {@code addr} into eventfd signals. */
    public void ioeventfd(int eventFd, long addr, int len, long datamatch) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_IOEVENTFD)) {
            b.putI64(KvmAbi.OFF_IOEVENTFD_DATAMATCH, datamatch);
            b.putI64(KvmAbi.OFF_IOEVENTFD_ADDR, addr);
            b.putI32(KvmAbi.OFF_IOEVENTFD_LEN, len);
            b.putI32(KvmAbi.OFF_IOEVENTFD_FD, eventFd);
            b.putI32(KvmAbi.OFF_IOEVENTFD_FLAGS, KvmAbi.KVM_IOEVENTFD_FLAG_DATAMATCH);
            ioctl(KvmAbi.KVM_IOEVENTFD, b, "KVM_IOEVENTFD");
        }
    }

    public void irqLine(int irq, boolean level) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_IRQ_LEVEL)) {
            b.putI32(KvmAbi.OFF_IRQ_LEVEL_IRQ, irq);
            b.putI32(KvmAbi.OFF_IRQ_LEVEL_LEVEL, level ? 1 : 0);
            ioctl(KvmAbi.KVM_IRQ_LINE, b, "KVM_IRQ_LINE");
        }
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
