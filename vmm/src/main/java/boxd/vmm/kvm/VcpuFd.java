package boxd.vmm.kvm;

import boxd.vmm.sys.Errno;
import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import boxd.vmm.sys.SysException;

import java.util.List;
import java.util.Map;

/**
 * One vCPU fd and its kvm_run page. KVM_RUN and the state ioctls must come from the vCPU's own thread (KVM ties a
 * vCPU to the task that runs it); the owner of this object guarantees that.
 */
public final class VcpuFd implements AutoCloseable {
    private final int id;
    private final int fd;
    private final long runAddr;
    private final long runSize;
    private final KvmRun run;

    VcpuFd(int id, int fd, int mmapSize) {
        this.id = id;
        this.fd = fd;
        this.runSize = mmapSize;
        try {
            this.runAddr = Sys.mmap(mmapSize, LinuxAbi.PROT_READ | LinuxAbi.PROT_WRITE, LinuxAbi.MAP_SHARED, fd, 0);
        } catch (SysException e) {
            throw KvmException.of(e);
        }
        this.run = new KvmRun(NativeBuffer.wrap(runAddr, mmapSize));
    }

    public int id() { return id; }

    public KvmRun kvmRun() { return run; }

    private int ioctl(long req, NativeBuffer arg, String name) {
        return KvmIoctl.call(fd, req, arg, name);
    }

    /** KVM_RUN: returns true when the guest exited (read {@link #kvmRun()}), false when interrupted (EINTR/EAGAIN). */
    public boolean run() {
        try {
            Sys.ioctl(fd, KvmAbi.KVM_RUN, 0, "KVM_RUN");
            return true;
        } catch (SysException e) {
            if (e.errno() == Errno.EINTR || e.errno() == Errno.EAGAIN) return false;
            throw KvmException.of(e);
        }
    }

    public KvmRegs getRegs() {
        return KvmIoctl.get(fd, KvmAbi.KVM_GET_REGS, "KVM_GET_REGS", KvmAbi.SIZEOF_KVM_REGS, b -> {
            KvmRegs r = new KvmRegs();
            r.readFrom(b);
            return r;
        });
    }

    public void setRegs(KvmRegs r) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_REGS, "KVM_SET_REGS", KvmAbi.SIZEOF_KVM_REGS, r::writeTo);
    }

    public KvmSregs getSregs() {
        return KvmIoctl.get(fd, KvmAbi.KVM_GET_SREGS, "KVM_GET_SREGS", KvmAbi.SIZEOF_KVM_SREGS, b -> {
            KvmSregs s = new KvmSregs();
            s.readFrom(b);
            return s;
        });
    }

    public void setSregs(KvmSregs s) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_SREGS, "KVM_SET_SREGS", KvmAbi.SIZEOF_KVM_SREGS, s::writeTo);
    }

    /** KVM_SET_FPU with the x87 control word and MXCSR a freshly reset CPU has. */
    public void setFpu(int fcw, int mxcsr) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_FPU, "KVM_SET_FPU", KvmAbi.SIZEOF_KVM_FPU, b -> {
            b.putU16(KvmAbi.OFF_FPU_FCW, fcw);
            b.putI32(KvmAbi.OFF_FPU_MXCSR, mxcsr);
        });
    }

    public void setCpuid(List<CpuidEntry> entries) {
        long size = KvmAbi.SIZEOF_KVM_CPUID2 + (long) entries.size() * KvmAbi.SIZEOF_KVM_CPUID_ENTRY2;
        KvmIoctl.set(fd, KvmAbi.KVM_SET_CPUID2, "KVM_SET_CPUID2", size, b -> {
            b.putI32(KvmAbi.OFF_CPUID2_NENT, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                CpuidEntry e = entries.get(i);
                long o = KvmAbi.OFF_CPUID2_ENTRIES + (long) i * KvmAbi.SIZEOF_KVM_CPUID_ENTRY2;
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_FUNCTION, e.function());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_INDEX, e.index());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_FLAGS, e.flags());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_EAX, e.eax());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_EBX, e.ebx());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_ECX, e.ecx());
                b.putI32(o + KvmAbi.OFF_CPUID_ENTRY2_EDX, e.edx());
            }
        });
    }

    /** KVM_SET_MSRS; KVM returns how many it set, and a short count is an error naming the first MSR refused. */
    public void setMsrs(Map<Integer, Long> msrs) {
        int set = setMsrsPartially(msrs);
        if (set != msrs.size()) {
            Integer refused = msrs.keySet().toArray(new Integer[0])[set];
            throw new KvmException(String.format("KVM_SET_MSRS set %d of %d MSRs; KVM refused MSR %#x", set, msrs.size(), refused));
        }
    }

    /** KVM_SET_MSRS in map order; returns how many KVM set (it stops at the first MSR it refuses). */
    public int setMsrsPartially(Map<Integer, Long> msrs) {
        Integer[] keys = msrs.keySet().toArray(new Integer[0]);
        long size = KvmAbi.SIZEOF_KVM_MSRS + (long) keys.length * KvmAbi.SIZEOF_KVM_MSR_ENTRY;
        return KvmIoctl.set(fd, KvmAbi.KVM_SET_MSRS, "KVM_SET_MSRS", size, b -> {
            b.putI32(KvmAbi.OFF_MSRS_NMSRS, keys.length);
            for (int i = 0; i < keys.length; i++) {
                long o = KvmAbi.OFF_MSRS_ENTRIES + (long) i * KvmAbi.SIZEOF_KVM_MSR_ENTRY;
                b.putI32(o + KvmAbi.OFF_MSR_ENTRY_INDEX, keys[i]);
                b.putI64(o + KvmAbi.OFF_MSR_ENTRY_DATA, msrs.get(keys[i]));
            }
        });
    }

    public byte[] getLapic() {
        return KvmIoctl.get(fd, KvmAbi.KVM_GET_LAPIC, "KVM_GET_LAPIC", KvmAbi.SIZEOF_KVM_LAPIC_STATE,
                b -> b.getBytes(0, KvmAbi.SIZEOF_KVM_LAPIC_STATE));
    }

    public void setLapic(byte[] regs) {
        KvmIoctl.set(fd, KvmAbi.KVM_SET_LAPIC, "KVM_SET_LAPIC", KvmAbi.SIZEOF_KVM_LAPIC_STATE,
                b -> b.putBytes(0, regs, 0, KvmAbi.SIZEOF_KVM_LAPIC_STATE));
    }

    /** Injects exception {@code vector} (no error code) at the current RIP through KVM_GET/SET_VCPU_EVENTS. */
    public void injectException(int vector) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_VCPU_EVENTS)) {
            ioctl(KvmAbi.KVM_GET_VCPU_EVENTS, b, "KVM_GET_VCPU_EVENTS");
            b.putU8(KvmAbi.OFF_VCPU_EVENTS_EXCEPTION_INJECTED, 1);
            b.putU8(KvmAbi.OFF_VCPU_EVENTS_EXCEPTION_NR, vector);
            b.putU8(KvmAbi.OFF_VCPU_EVENTS_EXCEPTION_HAS_ERROR_CODE, 0);
            b.putI32(KvmAbi.OFF_VCPU_EVENTS_EXCEPTION_ERROR_CODE, 0);
            b.putI32(KvmAbi.OFF_VCPU_EVENTS_FLAGS, 0);
            ioctl(KvmAbi.KVM_SET_VCPU_EVENTS, b, "KVM_SET_VCPU_EVENTS");
        }
    }

    /** Guest-virtual to guest-physical through the vCPU's current page tables; -1 when not mapped. */
    public long translate(long linear) {
        try (NativeBuffer b = NativeBuffer.allocate(KvmAbi.SIZEOF_KVM_TRANSLATION)) {
            b.putI64(KvmAbi.OFF_TRANSLATION_LINEAR_ADDRESS, linear);
            ioctl(KvmAbi.KVM_TRANSLATE, b, "KVM_TRANSLATE");
            return b.getU8(KvmAbi.OFF_TRANSLATION_VALID) != 0 ? b.getI64(KvmAbi.OFF_TRANSLATION_PHYSICAL_ADDRESS) : -1;
        }
    }

    /** KVM_SET_SIGNAL_MASK: the signal mask in force while the thread is inside KVM_RUN (kernel sigset, 8 bytes). */
    public void setSignalMask(byte[] kernelSigset) {
        long size = KvmAbi.SIZEOF_KVM_SIGNAL_MASK + LinuxAbi.KERNEL_SIGSET_BYTES;
        KvmIoctl.set(fd, KvmAbi.KVM_SET_SIGNAL_MASK, "KVM_SET_SIGNAL_MASK", size, b -> {
            b.putI32(0, LinuxAbi.KERNEL_SIGSET_BYTES);
            b.putBytes(KvmAbi.OFF_SIGNAL_MASK_SIGSET, kernelSigset, 0, LinuxAbi.KERNEL_SIGSET_BYTES);
        });
    }

    @Override
    public void close() {
        try {
            Sys.munmap(runAddr, runSize);
        } catch (SysException ignored) {
            // unmapping a page we mapped cannot meaningfully fail; the fd close below releases the vCPU
        }
        Sys.close(fd);
    }
}
