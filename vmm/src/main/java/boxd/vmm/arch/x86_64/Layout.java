package boxd.vmm.arch.x86_64;

/** Where things go in guest-physical memory at boot (Firecracker's x86_64 layout). */
public final class Layout {
    private Layout() {}

    public static final long GDT = 0x500;
    public static final long IDT = 0x520;
    public static final long ZERO_PAGE = 0x7000;
    public static final long BOOT_STACK = 0x8ff0;
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xA000;
    public static final long PD = 0xB000;
    /** Four page directories for a 4 GiB identity map (PD..PD+0x3000). */
    public static final int PD_COUNT = 4;
    public static final long CMDLINE = 0x20000;
    public static final int CMDLINE_MAX = 4096;
    public static final long MPTABLE = 0x9fc00;
    public static final long EBDA_START = 0x9fc00;
    public static final long BIOS_END = 0xE0000;
    public static final long HIMEM = 0x100000;
    public static final long TSS_ADDR = 0xfffbd000L;
    public static final long IOAPIC = 0xfec00000L;
    public static final long LAPIC = 0xfee00000L;
    /** First virtio-mmio window, after the boot-time marker page at 0xC0000000. */
    public static final long VIRTIO_MMIO_BASE = 0xC000_1000L;
    /** First GSI for virtio devices (0-4 are timer, keyboard, cascade, COM2, COM1). */
    public static final int VIRTIO_FIRST_GSI = 5;
    public static final int MAX_GSI = 23;
}
