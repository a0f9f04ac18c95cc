package boxd.vmm.sys;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles a C program against the real kernel and libc headers that prints every ioctl number, constant, struct
 * size and field offset that {@link KvmAbi}, {@link LinuxAbi} and {@link TunAbi} hard-code, and compares them all.
 */
class AbiTest {
    private static final String C = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <signal.h>
            #include <fcntl.h>
            #include <time.h>
            #include <sys/mman.h>
            #include <sys/eventfd.h>
            #include <sys/epoll.h>
            #include <linux/kvm.h>
            #include <linux/if_tun.h>
            #include <net/if.h>
            #define V(name, expr) printf("%s %lld\\n", name, (long long)(expr))
            #define C(name) V(#name, name)
            int main(void) {
            """;

    private static final String[][] SIZES = {
            {"SIZEOF_KVM_USERSPACE_MEMORY_REGION", "struct kvm_userspace_memory_region"}, {"SIZEOF_KVM_REGS", "struct kvm_regs"},
            {"SIZEOF_KVM_SEGMENT", "struct kvm_segment"}, {"SIZEOF_KVM_DTABLE", "struct kvm_dtable"},
            {"SIZEOF_KVM_SREGS", "struct kvm_sregs"}, {"SIZEOF_KVM_FPU", "struct kvm_fpu"}, {"SIZEOF_KVM_CPUID2", "struct kvm_cpuid2"},
            {"SIZEOF_KVM_CPUID_ENTRY2", "struct kvm_cpuid_entry2"}, {"SIZEOF_KVM_MSRS", "struct kvm_msrs"},
            {"SIZEOF_KVM_MSR_ENTRY", "struct kvm_msr_entry"}, {"SIZEOF_KVM_MSR_LIST", "struct kvm_msr_list"},
            {"SIZEOF_KVM_LAPIC_STATE", "struct kvm_lapic_state"}, {"SIZEOF_KVM_IRQFD", "struct kvm_irqfd"},
            {"SIZEOF_KVM_IOEVENTFD", "struct kvm_ioeventfd"}, {"SIZEOF_KVM_PIT_CONFIG", "struct kvm_pit_config"},
            {"SIZEOF_KVM_IRQ_LEVEL", "struct kvm_irq_level"}, {"SIZEOF_KVM_VCPU_EVENTS", "struct kvm_vcpu_events"},
            {"SIZEOF_KVM_SIGNAL_MASK", "struct kvm_signal_mask"}, {"SIZEOF_KVM_TRANSLATION", "struct kvm_translation"},
            {"SIZEOF_KVM_MP_STATE", "struct kvm_mp_state"}, {"SIZEOF_EPOLL_EVENT", "struct epoll_event"},
            {"SIZEOF_SIGSET_T", "sigset_t"}, {"SIZEOF_SIGINFO_T", "siginfo_t"}, {"SIZEOF_TIMESPEC", "struct timespec"},
            {"SIZEOF_IFREQ", "struct ifreq"},
    };

    private static final String[][] OFFSETS = {
            {"OFF_MEMREGION_SLOT", "struct kvm_userspace_memory_region", "slot"},
            {"OFF_MEMREGION_FLAGS", "struct kvm_userspace_memory_region", "flags"},
            {"OFF_MEMREGION_GUEST_PHYS_ADDR", "struct kvm_userspace_memory_region", "guest_phys_addr"},
            {"OFF_MEMREGION_MEMORY_SIZE", "struct kvm_userspace_memory_region", "memory_size"},
            {"OFF_MEMREGION_USERSPACE_ADDR", "struct kvm_userspace_memory_region", "userspace_addr"},
            {"OFF_RUN_REQUEST_INTERRUPT_WINDOW", "struct kvm_run", "request_interrupt_window"},
            {"OFF_RUN_IMMEDIATE_EXIT", "struct kvm_run", "immediate_exit"},
            {"OFF_RUN_EXIT_REASON", "struct kvm_run", "exit_reason"},
            {"OFF_RUN_IO_DIRECTION", "struct kvm_run", "io.direction"}, {"OFF_RUN_IO_SIZE", "struct kvm_run", "io.size"},
            {"OFF_RUN_IO_PORT", "struct kvm_run", "io.port"}, {"OFF_RUN_IO_COUNT", "struct kvm_run", "io.count"},
            {"OFF_RUN_IO_DATA_OFFSET", "struct kvm_run", "io.data_offset"},
            {"OFF_RUN_MMIO_PHYS_ADDR", "struct kvm_run", "mmio.phys_addr"}, {"OFF_RUN_MMIO_DATA", "struct kvm_run", "mmio.data"},
            {"OFF_RUN_MMIO_LEN", "struct kvm_run", "mmio.len"}, {"OFF_RUN_MMIO_IS_WRITE", "struct kvm_run", "mmio.is_write"},
            {"OFF_RUN_FAIL_ENTRY_REASON", "struct kvm_run", "fail_entry.hardware_entry_failure_reason"},
            {"OFF_RUN_INTERNAL_SUBERROR", "struct kvm_run", "internal.suberror"},
            {"OFF_RUN_INTERNAL_NDATA", "struct kvm_run", "internal.ndata"},
            {"OFF_RUN_INTERNAL_DATA", "struct kvm_run", "internal.data"},
            {"OFF_RUN_EMULATION_FAILURE_FLAGS", "struct kvm_run", "emulation_failure.flags"},
            {"OFF_RUN_EMULATION_FAILURE_INSN_SIZE", "struct kvm_run", "emulation_failure.insn_size"},
            {"OFF_RUN_EMULATION_FAILURE_INSN_BYTES", "struct kvm_run", "emulation_failure.insn_bytes"},
            {"OFF_RUN_SYSTEM_EVENT_TYPE", "struct kvm_run", "system_event.type"},
            {"OFF_REGS_RAX", "struct kvm_regs", "rax"}, {"OFF_REGS_RSP", "struct kvm_regs", "rsp"},
            {"OFF_REGS_RIP", "struct kvm_regs", "rip"}, {"OFF_REGS_RFLAGS", "struct kvm_regs", "rflags"},
            {"OFF_SEGMENT_BASE", "struct kvm_segment", "base"}, {"OFF_SEGMENT_LIMIT", "struct kvm_segment", "limit"},
            {"OFF_SEGMENT_SELECTOR", "struct kvm_segment", "selector"}, {"OFF_SEGMENT_TYPE", "struct kvm_segment", "type"},
            {"OFF_SEGMENT_PRESENT", "struct kvm_segment", "present"}, {"OFF_SEGMENT_DPL", "struct kvm_segment", "dpl"},
            {"OFF_SEGMENT_DB", "struct kvm_segment", "db"}, {"OFF_SEGMENT_S", "struct kvm_segment", "s"},
            {"OFF_SEGMENT_L", "struct kvm_segment", "l"}, {"OFF_SEGMENT_G", "struct kvm_segment", "g"},
            {"OFF_SEGMENT_AVL", "struct kvm_segment", "avl"}, {"OFF_SEGMENT_UNUSABLE", "struct kvm_segment", "unusable"},
            {"OFF_SREGS_CS", "struct kvm_sregs", "cs"}, {"OFF_SREGS_DS", "struct kvm_sregs", "ds"},
            {"OFF_SREGS_ES", "struct kvm_sregs", "es"}, {"OFF_SREGS_FS", "struct kvm_sregs", "fs"},
            {"OFF_SREGS_GS", "struct kvm_sregs", "gs"}, {"OFF_SREGS_SS", "struct kvm_sregs", "ss"},
            {"OFF_SREGS_TR", "struct kvm_sregs", "tr"}, {"OFF_SREGS_LDT", "struct kvm_sregs", "ldt"},
            {"OFF_SREGS_GDT", "struct kvm_sregs", "gdt"}, {"OFF_SREGS_IDT", "struct kvm_sregs", "idt"},
            {"OFF_SREGS_CR0", "struct kvm_sregs", "cr0"}, {"OFF_SREGS_CR2", "struct kvm_sregs", "cr2"},
            {"OFF_SREGS_CR3", "struct kvm_sregs", "cr3"}, {"OFF_SREGS_CR4", "struct kvm_sregs", "cr4"},
            {"OFF_SREGS_CR8", "struct kvm_sregs", "cr8"}, {"OFF_SREGS_EFER", "struct kvm_sregs", "efer"},
            {"OFF_SREGS_APIC_BASE", "struct kvm_sregs", "apic_base"},
            {"OFF_DTABLE_BASE", "struct kvm_dtable", "base"}, {"OFF_DTABLE_LIMIT", "struct kvm_dtable", "limit"},
            {"OFF_FPU_FCW", "struct kvm_fpu", "fcw"}, {"OFF_FPU_MXCSR", "struct kvm_fpu", "mxcsr"},
            {"OFF_CPUID2_NENT", "struct kvm_cpuid2", "nent"}, {"OFF_CPUID2_ENTRIES", "struct kvm_cpuid2", "entries"},
            {"OFF_CPUID_ENTRY2_FUNCTION", "struct kvm_cpuid_entry2", "function"},
            {"OFF_CPUID_ENTRY2_INDEX", "struct kvm_cpuid_entry2", "index"},
            {"OFF_CPUID_ENTRY2_FLAGS", "struct kvm_cpuid_entry2", "flags"},
            {"OFF_CPUID_ENTRY2_EAX", "struct kvm_cpuid_entry2", "eax"}, {"OFF_CPUID_ENTRY2_EBX", "struct kvm_cpuid_entry2", "ebx"},
            {"OFF_CPUID_ENTRY2_ECX", "struct kvm_cpuid_entry2", "ecx"}, {"OFF_CPUID_ENTRY2_EDX", "struct kvm_cpuid_entry2", "edx"},
            {"OFF_MSRS_NMSRS", "struct kvm_msrs", "nmsrs"}, {"OFF_MSRS_ENTRIES", "struct kvm_msrs", "entries"},
            {"OFF_MSR_ENTRY_INDEX", "struct kvm_msr_entry", "index"}, {"OFF_MSR_ENTRY_DATA", "struct kvm_msr_entry", "data"},
            {"OFF_MSR_LIST_INDICES", "struct kvm_msr_list", "indices"},
            {"OFF_IRQFD_FD", "struct kvm_irqfd", "fd"}, {"OFF_IRQFD_GSI", "struct kvm_irqfd", "gsi"},
            {"OFF_IRQFD_FLAGS", "struct kvm_irqfd", "flags"},
            {"OFF_IOEVENTFD_DATAMATCH", "struct kvm_ioeventfd", "datamatch"}, {"OFF_IOEVENTFD_ADDR", "struct kvm_ioeventfd", "addr"},
            {"OFF_IOEVENTFD_LEN", "struct kvm_ioeventfd", "len"}, {"OFF_IOEVENTFD_FD", "struct kvm_ioeventfd", "fd"},
            {"OFF_IOEVENTFD_FLAGS", "struct kvm_ioeventfd", "flags"},
            {"OFF_IRQ_LEVEL_IRQ", "struct kvm_irq_level", "irq"}, {"OFF_IRQ_LEVEL_LEVEL", "struct kvm_irq_level", "level"},
            {"OFF_PIT_CONFIG_FLAGS", "struct kvm_pit_config", "flags"},
            {"OFF_VCPU_EVENTS_EXCEPTION_INJECTED", "struct kvm_vcpu_events", "exception.injected"},
            {"OFF_VCPU_EVENTS_EXCEPTION_NR", "struct kvm_vcpu_events", "exception.nr"},
            {"OFF_VCPU_EVENTS_EXCEPTION_HAS_ERROR_CODE", "struct kvm_vcpu_events", "exception.has_error_code"},
            {"OFF_VCPU_EVENTS_EXCEPTION_ERROR_CODE", "struct kvm_vcpu_events", "exception.error_code"},
            {"OFF_VCPU_EVENTS_FLAGS", "struct kvm_vcpu_events", "flags"},
            {"OFF_TRANSLATION_LINEAR_ADDRESS", "struct kvm_translation", "linear_address"},
            {"OFF_TRANSLATION_PHYSICAL_ADDRESS", "struct kvm_translation", "physical_address"},
            {"OFF_TRANSLATION_VALID", "struct kvm_translation", "valid"},
            {"OFF_SIGNAL_MASK_SIGSET", "struct kvm_signal_mask", "sigset"},
            {"OFF_EPOLL_EVENT_EVENTS", "struct epoll_event", "events"}, {"OFF_EPOLL_EVENT_DATA", "struct epoll_event", "data"},
            {"OFF_IFREQ_FLAGS", "struct ifreq", "ifr_flags"},
    };

    /** Names whose value comes from a macro of the same name in the headers. */
    private static final List<String> SKIP = List.of("KERNEL_SIGSET_BYTES", "KVM_CPUID_FLAG_SIGNIFCANT_INDEX",
            "KVM_MAX_CPUID_ENTRIES", "APIC_LVT0", "APIC_LVT1", "IFNAMSIZ");

    @Test
    void constantsStructSizesAndOffsetsMatchTheKernelHeaders(@TempDir Path dir) throws Exception {
        Host.requireCommand("gcc", "gcc");
        StringBuilder c = new StringBuilder(C);
        List<String> expectedNames = new ArrayList<>();
        Map<String, Long> java = new HashMap<>();
        for (Class<?> k : List.of(KvmAbi.class, LinuxAbi.class, TunAbi.class)) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isPublic(f.getModifiers()) || !Modifier.isStatic(f.getModifiers())) continue;
                long v = f.getType() == long.class ? f.getLong(null) : f.getInt(null);
                java.put(f.getName(), v);
            }
        }
        Map<String, String[]> sizes = new HashMap<>();
        for (String[] s : SIZES) sizes.put(s[0], s);
        Map<String, String[]> offsets = new HashMap<>();
        for (String[] o : OFFSETS) offsets.put(o[0], o);
        for (String name : java.keySet()) {
            if (SKIP.contains(name)) continue;
            if (sizes.containsKey(name)) {
                c.append("V(\"").append(name).append("\", sizeof(").append(sizes.get(name)[1]).append("));\n");
            } else if (offsets.containsKey(name)) {
                String[] o = offsets.get(name);
                c.append("V(\"").append(name).append("\", offsetof(").append(o[1]).append(", ").append(o[2]).append("));\n");
            } else {
                c.append("C(").append(name).append(");\n");
            }
            expectedNames.add(name);
        }
        c.append("return 0; }\n");
        Path src = dir.resolve("abi.c");
        Files.writeString(src, c);
        Cmd.run(List.of("gcc", "-o", dir.resolve("abi").toString(), src.toString()), null, 120, dir).requireSuccess();
        String out = Cmd.run(List.of(dir.resolve("abi").toString()), null, 30, dir).requireSuccess().stdout();
        Map<String, Long> fromC = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] p = line.trim().split(" ");
            fromC.put(p[0], Long.parseLong(p[1]));
        }
        List<String> mismatches = new ArrayList<>();
        for (String name : expectedNames) {
            long j = java.get(name), cv = fromC.get(name);
            // ioctl numbers above 2^31 print as negative ints in C when they are int-typed; compare as unsigned 32-bit
            if (j != cv && (j & 0xFFFF_FFFFL) != (cv & 0xFFFF_FFFFL)) mismatches.add(name + ": java " + j + " C " + cv);
        }
        assertTrue(mismatches.isEmpty(), "constants differing from the C headers: " + mismatches);
        assertEquals(expectedNames.size(), fromC.size(), "every constant was printed");
        assertTrue(expectedNames.size() > 150, "the check covers the ABI (" + expectedNames.size() + " names)");
    }
}
