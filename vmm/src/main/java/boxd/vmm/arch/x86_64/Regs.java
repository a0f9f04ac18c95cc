package boxd.vmm.arch.x86_64;

import boxd.vmm.kvm.CpuidEntry;
import boxd.vmm.kvm.KvmRegs;
import boxd.vmm.kvm.KvmSregs;
import boxd.vmm.kvm.VcpuFd;
import boxd.vmm.sys.KvmAbi;

import java.util.List;

/**
 * Puts a vCPU into the state the Linux 64-bit boot protocol expects, in Firecracker's order: CPUID (other state
 * depends on it), MSRs, general registers (RIP = entry, RSI = zero page), FPU, long-mode segments and paging, LAPIC
 * LINT0 = ExtINT / LINT1 = NMI. Runs on the vCPU's own thread.
 */
public final class Regs {
    private Regs() {}

    private static final long CR0_PE = 1, CR0_PG = 0x8000_0000L, CR4_PAE = 0x20, EFER_LME = 0x100, EFER_LMA = 0x400;
    private static final int MODE_NMI = 4, MODE_EXTINT = 7;

    public static void configure(VcpuFd vcpu, long entry, int index, int count, List<CpuidEntry> supported, boolean pvm) {
        vcpu.setCpuid(Cpuid.forVcpu(supported, index, count, pvm));
        setMsrsSkippingRefused(vcpu, Msrs.boot());
        vcpu.setRegs(new KvmRegs().rip(entry).rsi(Layout.ZERO_PAGE).rsp(Layout.BOOT_STACK).rbp(Layout.BOOT_STACK).rflags(2));
        vcpu.setFpu(0x37f, 0x1f80);
        KvmSregs s = vcpu.getSregs();
        longMode(s);
        vcpu.setSregs(s);
        byte[] lapic = vcpu.getLapic();
        setLvtMode(lapic, KvmAbi.APIC_LVT0, MODE_EXTINT);
        setLvtMode(lapic, KvmAbi.APIC_LVT1, MODE_NMI);
        vcpu.setLapic(lapic);
    }

    /**
     * Sets the boot MSRs, skipping any the host refuses (as Cloud Hypervisor does): a PVM or nested host may not
     * implement every one, and none of them is needed to enter the kernel.
     */
    static void setMsrsSkippingRefused(VcpuFd vcpu, java.util.Map<Integer, Long> msrs) {
        java.util.LinkedHashMap<Integer, Long> left = new java.util.LinkedHashMap<>(msrs);
        while (!left.isEmpty()) {
            int set = vcpu.setMsrsPartially(left);
            Integer[] keys = left.keySet().toArray(new Integer[0]);
            for (int i = 0; i < Math.min(set + 1, keys.length); i++) left.remove(keys[i]); // set ones, then the refused one
        }
    }

    /** Flat 64-bit segments from the boot GDT, identity paging, long mode on. */
    public static void longMode(KvmSregs s) {
        s.segment(KvmSregs.Seg.CS, Gdt.segment(Gdt.ENTRIES[1], 1));
        for (KvmSregs.Seg seg : new KvmSregs.Seg[] {KvmSregs.Seg.DS, KvmSregs.Seg.ES, KvmSregs.Seg.FS, KvmSregs.Seg.GS, KvmSregs.Seg.SS}) {
            s.segment(seg, Gdt.segment(Gdt.ENTRIES[2], 2));
        }
        s.segment(KvmSregs.Seg.TR, Gdt.segment(Gdt.ENTRIES[3], 3));
        s.gdt(Layout.GDT, Gdt.ENTRIES.length * 8 - 1);
        s.idt(Layout.IDT, 7);
        s.cr3(Layout.PML4);
        s.cr4(s.cr4() | CR4_PAE);
        s.cr0(s.cr0() | CR0_PE | CR0_PG);
        s.efer(s.efer() | EFER_LME | EFER_LMA);
    }

    static void setLvtMode(byte[] lapic, int reg, int mode) {
        int v = (lapic[reg] & 0xFF) | (lapic[reg + 1] & 0xFF) << 8 | (lapic[reg + 2] & 0xFF) << 16 | (lapic[reg + 3] & 0xFF) << 24;
        v = (v & ~0x700) | (mode << 8);
        for (int i = 0; i < 4; i++) lapic[reg + i] = (byte) (v >>> (8 * i));
    }
}
