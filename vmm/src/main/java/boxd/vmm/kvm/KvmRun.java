package boxd.vmm.kvm;

import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.NativeBuffer;

/** The mmap'd {@code struct kvm_run} of one vCPU: read the exit here, write IN/MMIO-read results back here. */
public final class KvmRun {
    private final NativeBuffer page;

    KvmRun(NativeBuffer page) { this.page = page; }

    public int exitReason() { return page.getI32(KvmAbi.OFF_RUN_EXIT_REASON); }

    public void immediateExit(boolean on) { page.putU8(KvmAbi.OFF_RUN_IMMEDIATE_EXIT, on ? 1 : 0); }

    public boolean ioIsOut() { return page.getU8(KvmAbi.OFF_RUN_IO_DIRECTION) == KvmAbi.KVM_EXIT_IO_OUT; }
    public int ioSize() { return page.getU8(KvmAbi.OFF_RUN_IO_SIZE); }
    public int ioPort() { return page.getU16(KvmAbi.OFF_RUN_IO_PORT); }
    public int ioCount() { return page.getI32(KvmAbi.OFF_RUN_IO_COUNT); }
    public long ioDataOffset() { return page.getI64(KvmAbi.OFF_RUN_IO_DATA_OFFSET); }

    public long mmioPhysAddr() { return page.getI64(KvmAbi.OFF_RUN_MMIO_PHYS_ADDR); }
    public int mmioLen() { return page.getI32(KvmAbi.OFF_RUN_MMIO_LEN); }
    public boolean mmioIsWrite() { return page.getU8(KvmAbi.OFF_RUN_MMIO_IS_WRITE) != 0; }

    public long failEntryReason() { return page.getI64(KvmAbi.OFF_RUN_FAIL_ENTRY_REASON); }
    public int internalSuberror() { return page.getI32(KvmAbi.OFF_RUN_INTERNAL_SUBERROR); }
    public int internalNdata() { return page.getI32(KvmAbi.OFF_RUN_INTERNAL_NDATA); }
    public long internalData(int i) { return page.getI64(KvmAbi.OFF_RUN_INTERNAL_DATA + 8L * i); }
    public long emulationFailureFlags() { return page.getI64(KvmAbi.OFF_RUN_EMULATION_FAILURE_FLAGS); }

    /** The bytes of the instruction KVM failed to emulate, or an empty array when KVM did not report them. */
    public byte[] emulationFailureInstruction() {
        if ((emulationFailureFlags() & KvmAbi.KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) == 0) return new byte[0];
        int n = Math.min(15, page.getU8(KvmAbi.OFF_RUN_EMULATION_FAILURE_INSN_SIZE));
        return page.getBytes(KvmAbi.OFF_RUN_EMULATION_FAILURE_INSN_BYTES, n);
    }

    public int systemEventType() { return page.getI32(KvmAbi.OFF_RUN_SYSTEM_EVENT_TYPE); }

    /** Copies PIO data (at data_offset) out of the page. */
    public void readIoData(byte[] dst, int len, int index) {
        page.getBytes(ioDataOffset() + (long) index * len, dst, 0, len);
    }

    /** Writes the result of an IN back for KVM to complete the instruction. */
    public void writeIoData(byte[] src, int len, int index) {
        page.putBytes(ioDataOffset() + (long) index * len, src, 0, len);
    }

    public void readMmioData(byte[] dst, int len) { page.getBytes(KvmAbi.OFF_RUN_MMIO_DATA, dst, 0, len); }

    public void writeMmioData(byte[] src, int len) { page.putBytes(KvmAbi.OFF_RUN_MMIO_DATA, src, 0, len); }
}
