package boxd.vmm.kvm;

import boxd.vmm.sys.Errno;
import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import boxd.vmm.sys.SysException;

import java.util.ArrayList;
import java.util.List;

/** The {@code /dev/kvm} system fd: API version, capabilities, supported CPUID, and the factory for VMs. */
public final class Kvm implements AutoCloseable {
    private final int fd;
    private final int vcpuMmapSize;

    private Kvm(int fd) {
        this.fd = fd;
        try {
            int api = Sys.ioctl(fd, KvmAbi.KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION");
            if (api != KvmAbi.KVM_API_VERSION) {
                throw new KvmException("/dev/kvm speaks API version " + api + ", expected " + KvmAbi.KVM_API_VERSION);
            }
            this.vcpuMmapSize = Sys.ioctl(fd, KvmAbi.KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
        } catch (SysException e) {
            Sys.close(fd);
            throw KvmException.of(e);
        }
    }

    public static Kvm open() {
        try {
            return new Kvm(Sys.open("/dev/kvm", LinuxAbi.O_RDWR | LinuxAbi.O_CLOEXEC));
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    public int checkExtension(int cap) {
        try {
            return Sys.ioctl(fd, KvmAbi.KVM_CHECK_EXTENSION, cap, "KVM_CHECK_EXTENSION");
        } catch (SysException e) {
            return 0;
        }
    }

    int vcpuMmapSize() { return vcpuMmapSize; }

    /** KVM_GET_SUPPORTED_CPUID, growing the buffer on E2BIG. */
    public List<CpuidEntry> supportedCpuid() {
        for (int n = KvmAbi.KVM_MAX_CPUID_ENTRIES; n <= 4096; n *= 2) {
            try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_CPUID2 + (long) n * KvmAbi.SIZEOF_KVM_CPUID_ENTRY2)) {
                b.putI32(KvmAbi.OFF_CPUID2_NENT, n);
                try {
                    Sys.ioctl(fd, KvmAbi.KVM_GET_SUPPORTED_CPUID, b, "KVM_GET_SUPPORTED_CPUID");
                } catch (SysException e) {
                    if (e.errno() == Errno.E2BIG) continue;
                    throw KvmException.of(e);
                }
                return readCpuid(b);
            }
        }
        throw new KvmException("KVM_GET_SUPPORTED_CPUID returned more than 4096 entries");
    }

    static List<CpuidEntry> readCpuid(NativeBuffer b) {
        int nent = b.getI32(KvmAbi.OFF_CPUID2_NENT);
        List<CpuidEntry> out = new ArrayList<>(nent);
        for (int i = 0; i < nent; i++) {
            long o = KvmAbi.OFF_CPUID2_ENTRIES + (long) i * KvmAbi.SIZEOF_KVM_CPUID_ENTRY2;
            out.add(new CpuidEntry(b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_FUNCTION), b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_INDEX),
                    b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_FLAGS), b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_EAX),
                    b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_EBX), b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_ECX),
                    b.getI32(o + KvmAbi.OFF_CPUID_ENTRY2_EDX)));
        }
        return out;
    }

    public VmFd createVm() {
        try {
            return new VmFd(this, Sys.ioctl(fd, KvmAbi.KVM_CREATE_VM, 0, "KVM_CREATE_VM"));
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    @Override
    public void close() {
        Sys.close(fd);
    }
}
