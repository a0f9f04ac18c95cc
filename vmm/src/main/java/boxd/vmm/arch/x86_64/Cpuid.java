package boxd.vmm.arch.x86_64;

import boxd.vmm.kvm.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns KVM's supported CPUID into what one vCPU sees: its APIC id in the topology leaves, HYPERVISOR and
 * TSC-deadline on, no PMU, no performance/turbo controls. {@code pvm} additionally hides the features KVM's
 * instruction emulator cannot run (XSAVE family, SMAP/SMEP, POPCNT, ...), for hosts where /dev/kvm is PVM.
 * <p>
 * Topology (leaves 0xB and 0x1F: one thread per core, {@code count} cores in one package; leaf 0x8000001E on AMD)
 * is written here in full, because KVM reports none: since Linux 6.1 KVM_GET_SUPPORTED_CPUID returns only subleaf
 * 0 of 0xB/0x1F, zeroed, and a zeroed 0x8000001E. AMX is hidden unless KVM offers both tile states: host
 * kernels 5.17-6.3 offer the tile config state without the tile data state when the process has not asked for
 * AMX guest permission (ARCH_REQ_XCOMP_GUEST_PERM), and a guest that enables that XCR0 takes a #GP on XSETBV.
 */
public final class Cpuid {
    private Cpuid() {}

    // leaf 1 ECX
    private static final int ECX_SSE3 = 1 << 0, ECX_PCLMUL = 1 << 1, ECX_SSSE3 = 1 << 9, ECX_FMA = 1 << 12,
            ECX_PDCM = 1 << 15, ECX_PCID = 1 << 17, ECX_SSE41 = 1 << 19, ECX_SSE42 = 1 << 20, ECX_MOVBE = 1 << 22,
            ECX_POPCNT = 1 << 23, ECX_TSC_DEADLINE = 1 << 24, ECX_AES = 1 << 25, ECX_XSAVE = 1 << 26,
            ECX_OSXSAVE = 1 << 27, ECX_AVX = 1 << 28, ECX_F16C = 1 << 29, ECX_RDRAND = 1 << 30, ECX_HYPERVISOR = 1 << 31;
    private static final int EDX_HTT = 1 << 28;
    // leaf 7 EBX / ECX
    private static final int EBX7_FSGSBASE = 1, EBX7_BMI1 = 1 << 3, EBX7_AVX2 = 1 << 5, EBX7_SMEP = 1 << 7,
            EBX7_BMI2 = 1 << 8, EBX7_INVPCID = 1 << 10, EBX7_RDSEED = 1 << 18, EBX7_ADX = 1 << 19,
            EBX7_SMAP = 1 << 20, EBX7_CLFLUSHOPT = 1 << 23, EBX7_SHA = 1 << 29;
    private static final int ECX7_UMIP = 1 << 2, ECX7_PKU = 1 << 3, ECX7_WAITPKG = 1 << 5, ECX7_RDPID = 1 << 22;
    // leaf 0x80000001 ECX / EDX
    private static final int ECX81_ABM = 1 << 5, EDX81_RDTSCP = 1 << 27;
    // leaf 0xD.0 EAX (XCR0 bits) and the AMX feature bits of leaf 7.0 EDX
    static final int XCR0_XTILECFG = 1 << 17, XCR0_XTILEDATA = 1 << 18;
    static final int EDX7_AMX_BF16 = 1 << 22, EDX7_AMX_TILE = 1 << 24, EDX7_AMX_INT8 = 1 << 25;
    private static final int TOPOLOGY_SMT = 1, TOPOLOGY_CORE = 2;

    /** CPUID for vCPU {@code index} of {@code count}. */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int index, int count, boolean pvm) {
        // AMX needs both tile states in XCR0; whatever KVM offers short of that, the guest gets no AMX at all
        boolean amxUsable = supported.stream().anyMatch(e -> e.function() == 0xD && e.index() == 0
                && (e.eax() & (XCR0_XTILECFG | XCR0_XTILEDATA)) == (XCR0_XTILECFG | XCR0_XTILEDATA));
        List<CpuidEntry> out = new ArrayList<>(supported.size() + 4);
        for (CpuidEntry e : supported) {
            switch (e.function()) {
                case 1 -> {
                    int ebx = (e.ebx() & 0x0000FFFF) | (8 << 8) | (Math.max(1, count) << 16) | (index << 24);
                    int ecx = (e.ecx() & ~ECX_PDCM) | ECX_TSC_DEADLINE | ECX_HYPERVISOR;
                    int edx = count > 1 ? e.edx() | EDX_HTT : e.edx() & ~EDX_HTT;
                    if (pvm) {
                        ecx &= ~(ECX_XSAVE | ECX_OSXSAVE | ECX_AVX | ECX_F16C | ECX_FMA | ECX_POPCNT | ECX_MOVBE | ECX_PCID
                                | ECX_SSE41 | ECX_SSE42 | ECX_SSSE3 | ECX_AES | ECX_PCLMUL | ECX_RDRAND);
                    }
                    out.add(new CpuidEntry(e.function(), e.index(), e.flags(), e.eax(), ebx, ecx, edx));
                }
                case 6 -> out.add(e.withEax(e.eax() & ~0b110).withEcx(e.ecx() & ~1)); // no turbo, no APERF/MPERF
                case 7 -> {
                    if (e.index() == 0) {
                        int ebx = e.ebx(), ecx = e.ecx() & ~ECX7_WAITPKG;
                        if (pvm) {
                            ebx &= ~(EBX7_FSGSBASE | EBX7_BMI1 | EBX7_AVX2 | EBX7_SMEP | EBX7_BMI2 | EBX7_INVPCID | EBX7_RDSEED
                                    | EBX7_ADX | EBX7_SMAP | EBX7_CLFLUSHOPT | EBX7_SHA);
                            ecx &= ~(ECX7_UMIP | ECX7_PKU | ECX7_RDPID);
                        }
                        int edx = amxUsable ? e.edx() : e.edx() & ~(EDX7_AMX_BF16 | EDX7_AMX_TILE | EDX7_AMX_INT8);
                        out.add(e.withEbx(ebx).withEcx(ecx).withEdx(edx));
                    } else {
                        out.add(e);
                    }
                }
                case 0xA -> out.add(new CpuidEntry(e.function(), e.index(), e.flags(), 0, 0, 0, 0)); // no PMU
                case 0xB, 0x1F -> {
                    // every subleaf is written from subleaf 0 (KVM's others, if any, describe the host)
                    if (e.index() == 0) out.addAll(topology(e.function(), e.flags(), index, count));
                }
                case 0xD -> {
                    if (pvm) out.add(new CpuidEntry(e.function(), e.index(), e.flags(), 0, 0, 0, 0));
                    else if (e.index() == 0 && !amxUsable) out.add(e.withEax(e.eax() & ~XCR0_XTILECFG));
                    else out.add(e);
                }
                case 0x8000001E -> {
                    // AMD extended APIC id, core id (one thread per core), node 0 of one node per package
                    out.add(new CpuidEntry(e.function(), e.index(), e.flags(), index, index & 0xFF, 0, 0));
                }
                case 0x80000001 -> out.add(pvm ? e.withEcx(e.ecx() & ~ECX81_ABM).withEdx(e.edx() & ~EDX81_RDTSCP) : e);
                default -> out.add(e);
            }
        }
        return out;
    }

    /**
     * Leaf 0xB or 0x1F for vCPU {@code index} of {@code count}: subleaf 0 = SMT level (one thread per core), subleaf
     * 1 = core level ({@code count} cores: EAX is the APIC-id shift to the package id), subleaf 2 = end of the list.
     * EDX is the x2APIC id on every subleaf.
     */
    static List<CpuidEntry> topology(int function, int flags, int index, int count) {
        int f = flags | boxd.vmm.sys.KvmAbi.KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        int packageShift = 32 - Integer.numberOfLeadingZeros(Math.max(1, count) - 1);
        return List.of(new CpuidEntry(function, 0, f, 0, 1, TOPOLOGY_SMT << 8, index),
                new CpuidEntry(function, 1, f, packageShift, Math.max(1, count), 1 | TOPOLOGY_CORE << 8, index),
                new CpuidEntry(function, 2, f, 0, 0, 2, index));
    }

    /**
     * Kernel parameters that keep a stock kernel off instructions KVM's emulator cannot run (on PVM hosts the guest
     * sees the host's CPUID whatever KVM_SET_CPUID2 says), plus {@code nopv}.
     */
    public static final String PVM_CMDLINE = "noxsave nopti nopv clearcpuid=smap,smep,umip,pku,fsgsbase,pcid,invpcid,popcnt,"
            + "movbe,bmi1,bmi2,abm,rdrand,rdseed,adx,sha_ni,avx,avx2,fma,f16c,aes,pclmulqdq,sse4_1,sse4_2,ssse3,clflushopt,"
            + "clzero,rdpid,rdtscp";
}
