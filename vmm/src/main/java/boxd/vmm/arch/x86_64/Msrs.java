package boxd.vmm.arch.x86_64;

import java.util.LinkedHashMap;
import java.util.Map;

/** The MSRs set on every vCPU before its first run (Firecracker's boot set). */
public final class Msrs {
    private Msrs() {}

    public static final int IA32_SYSENTER_CS = 0x174, IA32_SYSENTER_ESP = 0x175, IA32_SYSENTER_EIP = 0x176;
    public static final int STAR = 0xc0000081, LSTAR = 0xc0000082, CSTAR = 0xc0000083, SYSCALL_MASK = 0xc0000084;
    public static final int KERNEL_GS_BASE = 0xc0000102;
    public static final int IA32_TSC = 0x10, IA32_MISC_ENABLE = 0x1a0, MTRR_DEF_TYPE = 0x2ff;

    public static Map<Integer, Long> boot() {
        Map<Integer, Long> m = new LinkedHashMap<>();
        m.put(IA32_SYSENTER_CS, 0L);
        m.put(IA32_SYSENTER_ESP, 0L);
        m.put(IA32_SYSENTER_EIP, 0L);
        m.put(STAR, 0L);
        m.put(CSTAR, 0L);
        m.put(KERNEL_GS_BASE, 0L);
        m.put(SYSCALL_MASK, 0L);
        m.put(LSTAR, 0L);
        m.put(IA32_TSC, 0L);
        m.put(IA32_MISC_ENABLE, 1L);     // fast strings
        m.put(MTRR_DEF_TYPE, 0x806L);    // MTRRs on, default write-back: without it non-RAM is uncached
        return m;
    }
}
