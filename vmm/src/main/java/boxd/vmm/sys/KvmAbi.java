package boxd.vmm.sys;

/**
 * KVM ioctl numbers, exit reasons and struct layouts from {@code <linux/kvm.h>} (x86_64). No logic: a test compiles a
 * C program that prints the same names from the real header and compares every field of this class.
 */
public final class KvmAbi {
    private KvmAbi() {}

    private static final int IOC_NONE = 0, IOC_WRITE = 1, IOC_READ = 2;
    private static final int KVMIO = 0xAE;

    private static long ioc(int dir, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) KVMIO << 8) | nr;
    }
    private static long io(int nr) { return ioc(IOC_NONE, nr, 0); }
    private static long ior(int nr, int size) { return ioc(IOC_READ, nr, size); }
    private static long iow(int nr, int size) { return ioc(IOC_WRITE, nr, size); }
    private static long iowr(int nr, int size) { return ioc(IOC_READ | IOC_WRITE, nr, size); }

    // struct sizes
    public static final int SIZEOF_KVM_USERSPACE_MEMORY_REGION = 32;
    public static final int SIZEOF_KVM_REGS = 144;
    public static final int SIZEOF_KVM_SEGMENT = 24;
    public static final int SIZEOF_KVM_DTABLE = 16;
    public static final int SIZEOF_KVM_SREGS = 312;
    public static final int SIZEOF_KVM_FPU = 416;
    public static final int SIZEOF_KVM_CPUID2 = 8;
    public static final int SIZEOF_KVM_CPUID_ENTRY2 = 40;
    public static final int SIZEOF_KVM_MSRS = 8;
    public static final int SIZEOF_KVM_MSR_ENTRY = 16;
    public static final int SIZEOF_KVM_MSR_LIST = 4;
    public static final int SIZEOF_KVM_LAPIC_STATE = 1024;
    public static final int SIZEOF_KVM_IRQFD = 32;
    public static final int SIZEOF_KVM_IOEVENTFD = 64;
    public static final int SIZEOF_KVM_PIT_CONFIG = 64;
    public static final int SIZEOF_KVM_IRQ_LEVEL = 8;
    public static final int SIZEOF_KVM_VCPU_EVENTS = 64;
    public static final int SIZEOF_KVM_SIGNAL_MASK = 4;
    public static final int SIZEOF_KVM_TRANSLATION = 24;
    public static final int SIZEOF_KVM_MP_STATE = 4;

    // ioctls on /dev/kvm
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(0x02, SIZEOF_KVM_MSR_LIST);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, SIZEOF_KVM_CPUID2);
    // ioctls on a VM fd
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, SIZEOF_KVM_USERSPACE_MEMORY_REGION);
    public static final long KVM_SET_TSS_ADDR = io(0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(0x48, 8);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_IRQ_LINE = iow(0x61, SIZEOF_KVM_IRQ_LEVEL);
    public static final long KVM_IRQFD = iow(0x76, SIZEOF_KVM_IRQFD);
    public static final long KVM_CREATE_PIT2 = iow(0x77, SIZEOF_KVM_PIT_CONFIG);
    public static final long KVM_IOEVENTFD = iow(0x79, SIZEOF_KVM_IOEVENTFD);
    // ioctls on a vCPU fd
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ior(0x81, SIZEOF_KVM_REGS);
    public static final long KVM_SET_REGS = iow(0x82, SIZEOF_KVM_REGS);
    public static final long KVM_GET_SREGS = ior(0x83, SIZEOF_KVM_SREGS);
    public static final long KVM_SET_SREGS = iow(0x84, SIZEOF_KVM_SREGS);
    public static final long KVM_TRANSLATE = iowr(0x85, SIZEOF_KVM_TRANSLATION);
    public static final long KVM_GET_MSRS = iowr(0x88, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_MSRS = iow(0x89, SIZEOF_KVM_MSRS);
    public static final long KVM_SET_SIGNAL_MASK = iow(0x8b, SIZEOF_KVM_SIGNAL_MASK);
    public static final long KVM_GET_FPU = ior(0x8c, SIZEOF_KVM_FPU);
    public static final long KVM_SET_FPU = iow(0x8d, SIZEOF_KVM_FPU);
    public static final long KVM_GET_LAPIC = ior(0x8e, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_LAPIC = iow(0x8f, SIZEOF_KVM_LAPIC_STATE);
    public static final long KVM_SET_CPUID2 = iow(0x90, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_CPUID2 = iowr(0x91, SIZEOF_KVM_CPUID2);
    public static final long KVM_GET_MP_STATE = ior(0x98, SIZEOF_KVM_MP_STATE);
    public static final long KVM_SET_MP_STATE = iow(0x99, SIZEOF_KVM_MP_STATE);
    public static final long KVM_GET_VCPU_EVENTS = ior(0x9f, SIZEOF_KVM_VCPU_EVENTS);
    public static final long KVM_SET_VCPU_EVENTS = iow(0xa0, SIZEOF_KVM_VCPU_EVENTS);

    // KVM_CHECK_EXTENSION capabilities
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_IRQFD = 32;
    public static final int KVM_CAP_TSC_DEADLINE_TIMER = 72;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;

    public static final int KVM_API_VERSION = 12;
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1;
    public static final int KVM_MAX_CPUID_ENTRIES = 80;
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    public static final int KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;
    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    // exit reasons
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;

    // struct kvm_userspace_memory_region
    public static final int OFF_MEMREGION_SLOT = 0;
    public static final int OFF_MEMREGION_FLAGS = 4;
    public static final int OFF_MEMREGION_GUEST_PHYS_ADDR = 8;
    public static final int OFF_MEMREGION_MEMORY_SIZE = 16;
    public static final int OFF_MEMREGION_USERSPACE_ADDR = 24;

    // struct kvm_run
    public static final int OFF_RUN_REQUEST_INTERRUPT_WINDOW = 0;
    public static final int OFF_RUN_IMMEDIATE_EXIT = 1;
    public static final int OFF_RUN_EXIT_REASON = 8;
    public static final int OFF_RUN_IO_DIRECTION = 32;
    public static final int OFF_RUN_IO_SIZE = 33;
    public static final int OFF_RUN_IO_PORT = 34;
    public static final int OFF_RUN_IO_COUNT = 36;
    public static final int OFF_RUN_IO_DATA_OFFSET = 40;
    public static final int OFF_RUN_MMIO_PHYS_ADDR = 32;
    public static final int OFF_RUN_MMIO_DATA = 40;
    public static final int OFF_RUN_MMIO_LEN = 48;
    public static final int OFF_RUN_MMIO_IS_WRITE = 52;
    public static final int OFF_RUN_FAIL_ENTRY_REASON = 32;
    public static final int OFF_RUN_INTERNAL_SUBERROR = 32;
    public static final int OFF_RUN_INTERNAL_NDATA = 36;
    public static final int OFF_RUN_INTERNAL_DATA = 40;
    public static final int OFF_RUN_EMULATION_FAILURE_FLAGS = 40;
    public static final int OFF_RUN_EMULATION_FAILURE_INSN_SIZE = 48;
    public static final int OFF_RUN_EMULATION_FAILURE_INSN_BYTES = 49;
    public static final int OFF_RUN_SYSTEM_EVENT_TYPE = 32;

    // struct kvm_regs (all u64)
    public static final int OFF_REGS_RAX = 0;
    public static final int OFF_REGS_RSP = 48;
    public static final int OFF_REGS_RIP = 128;
    public static final int OFF_REGS_RFLAGS = 136;

    // struct kvm_segment
    public static final int OFF_SEGMENT_BASE = 0;
    public static final int OFF_SEGMENT_LIMIT = 8;
    public static final int OFF_SEGMENT_SELECTOR = 12;
    public static final int OFF_SEGMENT_TYPE = 14;
    public static final int OFF_SEGMENT_PRESENT = 15;
    public static final int OFF_SEGMENT_DPL = 16;
    public static final int OFF_SEGMENT_DB = 17;
    public static final int OFF_SEGMENT_S = 18;
    public static final int OFF_SEGMENT_L = 19;
    public static final int OFF_SEGMENT_G = 20;
    public static final int OFF_SEGMENT_AVL = 21;
    public static final int OFF_SEGMENT_UNUSABLE = 22;

    // struct kvm_sregs
    public static final int OFF_SREGS_CS = 0;
    public static final int OFF_SREGS_DS = 24;
    public static final int OFF_SREGS_ES = 48;
    public static final int OFF_SREGS_FS = 72;
    public static final int OFF_SREGS_GS = 96;
    public static final int OFF_SREGS_SS = 120;
    public static final int OFF_SREGS_TR = 144;
    public static final int OFF_SREGS_LDT = 168;
    public static final int OFF_SREGS_GDT = 192;
    public static final int OFF_SREGS_IDT = 208;
    public static final int OFF_SREGS_CR0 = 224;
    public static final int OFF_SREGS_CR2 = 232;
    public static final int OFF_SREGS_CR3 = 240;
    public static final int OFF_SREGS_CR4 = 248;
    public static final int OFF_SREGS_CR8 = 256;
    public static final int OFF_SREGS_EFER = 264;
    public static final int OFF_SREGS_APIC_BASE = 272;
    public static final int OFF_DTABLE_BASE = 0;
    public static final int OFF_DTABLE_LIMIT = 8;

    // struct kvm_fpu
    public static final int OFF_FPU_FCW = 128;
    public static final int OFF_FPU_MXCSR = 408;

    // struct kvm_cpuid2 / kvm_cpuid_entry2
    public static final int OFF_CPUID2_NENT = 0;
    public static final int OFF_CPUID2_ENTRIES = 8;
    public static final int OFF_CPUID_ENTRY2_FUNCTION = 0;
    public static final int OFF_CPUID_ENTRY2_INDEX = 4;
    public static final int OFF_CPUID_ENTRY2_FLAGS = 8;
    public static final int OFF_CPUID_ENTRY2_EAX = 12;
    public static final int OFF_CPUID_ENTRY2_EBX = 16;
    public static final int OFF_CPUID_ENTRY2_ECX = 20;
    public static final int OFF_CPUID_ENTRY2_EDX = 24;

    // struct kvm_msrs / kvm_msr_entry / kvm_msr_list
    public static final int OFF_MSRS_NMSRS = 0;
    public static final int OFF_MSRS_ENTRIES = 8;
    public static final int OFF_MSR_ENTRY_INDEX = 0;
    public static final int OFF_MSR_ENTRY_DATA = 8;
    public static final int OFF_MSR_LIST_INDICES = 4;

    // struct kvm_irqfd
    public static final int OFF_IRQFD_FD = 0;
    public static final int OFF_IRQFD_GSI = 4;
    public static final int OFF_IRQFD_FLAGS = 8;

    // struct kvm_ioeventfd
    public static final int OFF_IOEVENTFD_DATAMATCH = 0;
    public static final int OFF_IOEVENTFD_ADDR = 8;
    public static final int OFF_IOEVENTFD_LEN = 16;
    public static final int OFF_IOEVENTFD_FD = 20;
    public static final int OFF_IOEVENTFD_FLAGS = 24;

    // struct kvm_irq_level, kvm_pit_config
    public static final int OFF_IRQ_LEVEL_IRQ = 0;
    public static final int OFF_IRQ_LEVEL_LEVEL = 4;
    public static final int OFF_PIT_CONFIG_FLAGS = 0;

    // struct kvm_vcpu_events
    public static final int OFF_VCPU_EVENTS_EXCEPTION_INJECTED = 0;
    public static final int OFF_VCPU_EVENTS_EXCEPTION_NR = 1;
    public static final int OFF_VCPU_EVENTS_EXCEPTION_HAS_ERROR_CODE = 2;
    public static final int OFF_VCPU_EVENTS_EXCEPTION_ERROR_CODE = 4;
    public static final int OFF_VCPU_EVENTS_FLAGS = 20;

    // struct kvm_translation
    public static final int OFF_TRANSLATION_LINEAR_ADDRESS = 0;
    public static final int OFF_TRANSLATION_PHYSICAL_ADDRESS = 8;
    public static final int OFF_TRANSLATION_VALID = 16;

    // struct kvm_signal_mask
    public static final int OFF_SIGNAL_MASK_SIGSET = 4;

    // LAPIC register offsets inside kvm_lapic_state.regs
    public static final int APIC_LVT0 = 0x350;
    public static final int APIC_LVT1 = 0x360;
}
