package boxd.vmm;

import boxd.common.testing.Host;
import boxd.vmm.config.BlockConfig;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.ConsoleConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.devices.BusDevice;
import boxd.vmm.io.EventLoop;
import boxd.vmm.testing.GuestProgram;
import boxd.vmm.vcpu.VcpuState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tiny guests built by the test with gcc, run on the real /dev/kvm (fast even where KVM is PVM and every guest
 * instruction is emulated): long mode, serial, port and MMIO exits, interrupts, the virtio-mmio handshake and a
 * virtio-blk round trip through a guest driver, guest-triggered stops, and lifecycle control.
 */
class SmallGuestIT {
    @TempDir Path dir;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    @BeforeEach
    void needs() {
        Host.requireKvm();
        Host.requireCommand("gcc", "gcc");
    }

    private VmConfig config(Path elf) {
        return VmConfig.of("it", new MachineConfig(1, 64L << 20, false), new BootConfig(elf, null, ""))
                .withConsole(new ConsoleConfig(console, null)).withPvmWorkarounds(false);
    }

    private VmExit runToExit(Vm vm) throws Exception {
        vm.start();
        VmExit exit = vm.awaitExit(Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("guest did not end; console: " + console));
        return exit;
    }

    @Test
    void entersLongModePrintsOnTheSerialPortAndRebootsThroughTheI8042() throws Exception {
        Path elf = GuestProgram.build(dir, "longmode", """
                static void guest_main(void) {
                    u32 lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xC0000080));
                    u64 cr0; __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
                    volatile u64 big = 1UL << 40;
                    puts_("hello from 64-bit guest\\n");
                    puts_((lo & 0x400) ? "EFER.LMA=1\\n" : "EFER.LMA=0\\n");
                    puts_((cr0 & 0x80000001UL) == 0x80000001UL ? "paging on\\n" : "paging off\\n");
                    puts_(big == 0x10000000000UL ? "64-bit math ok\\n" : "64-bit math broken\\n");
                }
                """);
        try (Vm vm = new VmmBuilder(config(elf)).build()) {
            VmExit exit = runToExit(vm);
            assertEquals(VmExit.Reason.REBOOT, exit.reason(), exit.detail() + "; console: " + console);
        }
        String out = console.toString();
        assertTrue(out.contains("hello from 64-bit guest"), out);
        assertTrue(out.contains("EFER.LMA=1"), out);
        assertTrue(out.contains("paging on"), out);
        assertTrue(out.contains("64-bit math ok"), out);
    }

    @Test
    void portAndMmioExitsReachHostDevices() throws Exception {
        Path elf = GuestProgram.build(dir, "exits", """
                static void guest_main(void) {
                    outl(0x510, 0xdeadbeef);
                    u32 fromPort = inl(0x510);
                    u32 fromMmio = mmio_read32(0xd0000000UL);
                    mmio_write32(0xd0000008UL, fromMmio + fromPort);
                    puts_("exits done\\n");
                }
                """);
        AtomicLong portWritten = new AtomicLong(), mmioWritten = new AtomicLong(), mmioWriteOffset = new AtomicLong(-1);
        BusDevice port = new BusDevice() {
            @Override public void read(long offset, byte[] data) { ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(0x100); }
            @Override public void write(long offset, byte[] data) { portWritten.set(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL); }
        };
        BusDevice mmio = new BusDevice() {
            @Override public void read(long offset, byte[] data) { ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(0x12345600); }
            @Override public void write(long offset, byte[] data) {
                mmioWriteOffset.set(offset);
                mmioWritten.set(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL);
            }
        };
        try (Vm vm = new VmmBuilder(config(elf)).pioDevice(0x510, 4, port).mmioDevice(0xd0000000L, 0x1000, mmio).build()) {
            assertEquals(VmExit.Reason.REBOOT, runToExit(vm).reason(), console.toString());
        }
        assertEquals(0xdeadbeefL, portWritten.get());
        assertEquals(8, mmioWriteOffset.get());
        assertEquals(0x12345700L, mmioWritten.get(), "the guest saw both host values");
        assertTrue(console.toString().contains("exits done"));
    }

    @Test
    void uartThreInterruptIsDeliveredThroughTheIrqfdAndPic() throws Exception {
        Path elf = GuestProgram.build(dir, "irq", """
                struct gate { u16 lo; u16 sel; u8 ist; u8 attr; u16 mid; u32 hi; u32 zero; } __attribute__((packed));
                struct idtr { u16 limit; u64 base; } __attribute__((packed));
                static struct gate idt[256] __attribute__((aligned(16)));
                static volatile int hits;
                struct interrupt_frame;
                __attribute__((interrupt)) static void isr(struct interrupt_frame *f) {
                    (void)f;
                    u8 iir = inb(0x3fa);
                    if ((iir & 0xF) == 2) { hits++; outb(0x3f9, 0); }
                    outb(0x20, 0x20);
                }
                static void guest_main(void) {
                    u64 a = (u64)isr;
                    idt[0x24] = (struct gate){ (u16)a, 0x08, 0, 0x8E, (u16)(a >> 16), (u32)(a >> 32), 0 };
                    struct idtr r = { sizeof(idt) - 1, (u64)idt };
                    __asm__ volatile("lidt %0" :: "m"(r));
                    outb(0x20, 0x11); outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
                    outb(0xA0, 0x11); outb(0xA1, 0x28); outb(0xA1, 0x02); outb(0xA1, 0x01);
                    outb(0x21, 0xEF); outb(0xA1, 0xFF);
                    outb(0x3f9, 0x02);
                    /* sti; hlt is atomic (STI's interrupt shadow), so an interrupt cannot slip in before the hlt */
                    for (int i = 0; i < 1000 && !hits; i++) __asm__ volatile("sti; hlt; cli");
                    puts_(hits ? "interrupt delivered\\n" : "no interrupt\\n");
                }
                """);
        try (Vm vm = new VmmBuilder(config(elf)).build()) {
            assertEquals(VmExit.Reason.REBOOT, runToExit(vm).reason(), console.toString());
        }
        assertTrue(console.toString().contains("interrupt delivered"), console.toString());
    }

    @Test
    void guestDriverWritesAndReadsASectorThroughVirtioBlk() throws Exception {
        Path disk = dir.resolve("disk.img");
        Files.write(disk, new byte[64 * 1024]);
        Path elf = GuestProgram.build(dir, "blk", """
                #define BASE 0xC0001000UL
                #define R(o) mmio_read32(BASE + (o))
                #define W(o, v) mmio_write32(BASE + (o), (v))
                struct desc { u64 addr; u32 len; u16 flags; u16 next; };
                static struct desc descs[8] __attribute__((aligned(16)));
                static volatile u16 avail[2 + 8 + 1] __attribute__((aligned(2)));
                static volatile u32 used[1 + 2 * 8 + 1] __attribute__((aligned(4)));
                static struct { u32 type; u32 reserved; u64 sector; } hdr;
                static u8 data[512], back[512], id[20];
                static volatile u8 status;
                static u16 avail_idx;
                static int request(u32 type, u64 sector, void *buf, u32 len, int device_writes) {
                    hdr.type = type; hdr.reserved = 0; hdr.sector = sector; status = 0xff;
                    descs[0] = (struct desc){ (u64)&hdr, 16, 1, 1 };
                    descs[1] = (struct desc){ (u64)buf, len, (u16)(1 | (device_writes ? 2 : 0)), 2 };
                    descs[2] = (struct desc){ (u64)&status, 1, 2, 0 };
                    avail[2 + (avail_idx % 8)] = 0;
                    __asm__ volatile("" ::: "memory");
                    avail[1] = ++avail_idx;
                    W(0x50, 0);
                    while ((u16)(used[0] >> 16) != avail_idx) { }
                    return status;
                }
                static void guest_main(void) {
                    if (R(0) != 0x74726976 || R(4) != 2 || R(8) != 2) { puts_("bad virtio-mmio identity\\n"); return; }
                    puts_("virtio-mmio v2 block device found\\n");
                    W(0x70, 0); W(0x70, 1); W(0x70, 3);
                    W(0x14, 1); if (!(R(0x10) & 1)) { puts_("no VERSION_1\\n"); return; }
                    W(0x24, 1); W(0x20, 1); W(0x24, 0); W(0x20, 0);
                    W(0x70, 11); if (R(0x70) != 11) { puts_("FEATURES_OK refused\\n"); return; }
                    W(0x30, 0); if (R(0x44) != 0 || R(0x34) < 8) { puts_("queue 0 unusable\\n"); return; }
                    W(0x38, 8);
                    W(0x80, (u32)(u64)descs); W(0x84, 0);
                    W(0x90, (u32)(u64)avail); W(0x94, 0);
                    W(0xA0, (u32)(u64)used); W(0xA4, 0);
                    W(0x44, 1);
                    W(0x70, 15);
                    puts_("handshake done\\n");
                    for (int i = 0; i < 512; i++) data[i] = (u8)(i * 3 + 1);
                    if (request(1, 1, data, 512, 0) != 0) { puts_("write failed\\n"); return; }
                    if (request(0, 1, back, 512, 1) != 0) { puts_("read failed\\n"); return; }
                    for (int i = 0; i < 512; i++) if (back[i] != data[i]) { puts_("read back differs\\n"); return; }
                    if (request(8, 0, id, 20, 1) != 0) { puts_("get-id failed\\n"); return; }
                    puts_("sector round trip ok; id=");
                    for (int i = 0; i < 20 && id[i]; i++) putc_(id[i]);
                    puts_("\\n");
                }
                """);
        VmConfig cfg = config(elf).withDisks(List.of(new BlockConfig(disk, false, "it-disk-7")));
        try (Vm vm = new VmmBuilder(cfg).build()) {
            assertTrue(vm.cmdline().contains("virtio_mmio.device=4K@0xc0001000:5"), vm.cmdline());
            assertEquals(VmExit.Reason.REBOOT, runToExit(vm).reason(), console.toString());
        }
        String out = console.toString();
        assertTrue(out.contains("handshake done"), out);
        assertTrue(out.contains("sector round trip ok; id=it-disk-7"), out);
        byte[] img = Files.readAllBytes(disk);
        for (int i = 0; i < 512; i++) assertEquals((byte) (i * 3 + 1), img[512 + i], "disk byte " + i);
    }

    @Test
    void aTripleFaultEndsOneVmWhileAnotherInTheSameJvmRunsOn() throws Exception {
        Path crash = GuestProgram.build(dir, "crash", """
                static void guest_main(void) {
                    struct { u16 limit; u64 base; } __attribute__((packed)) r = { 0, 0 };
                    __asm__ volatile("lidt %0; ud2" :: "m"(r));
                }
                """);
        Path spin = GuestProgram.build(dir, "spin", """
                static void guest_main(void) {
                    for (volatile int i = 0; i < 20000; i++) { }
                    puts_("survivor done\\n");
                }
                """);
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        try (EventLoop shared = new EventLoop("it-shared-io");
             Vm a = new VmmBuilder(config(crash)).eventLoop(shared).build();
             Vm b = new VmmBuilder(config(spin).withConsole(new ConsoleConfig(other, null))).eventLoop(shared).build()) {
            b.start();
            a.start();
            VmExit ea = a.awaitExit(Duration.ofSeconds(60)).orElseThrow();
            assertEquals(VmExit.Reason.TRIPLE_FAULT, ea.reason(), ea.detail());
            VmExit eb = b.awaitExit(Duration.ofSeconds(120)).orElseThrow();
            assertEquals(VmExit.Reason.REBOOT, eb.reason(), eb.detail());
            assertTrue(other.toString().contains("survivor done"));
        }
    }

    @Test
    void pauseHoldsTheGuestResumeContinuesStopEndsIt() throws Exception {
        Path elf = GuestProgram.build(dir, "ticker", """
                static void guest_main(void) {
                    for (;;) { for (volatile int i = 0; i < 2000; i++) { } putc_('.'); }
                }
                """);
        try (Vm vm = new VmmBuilder(config(elf)).build()) {
            vm.start();
            waitForGrowth(0);
            vm.pause();
            assertEquals(List.of(VcpuState.PAUSED), vm.vcpuStates());
            int held = console.size();
            Thread.sleep(300);
            assertEquals(held, console.size(), "no guest progress while paused");
            vm.resume();
            waitForGrowth(held);
            vm.stop();
            assertEquals(VmExit.Reason.STOPPED, vm.awaitExit(Duration.ofSeconds(10)).orElseThrow().reason());
        }
    }

    private void waitForGrowth(int from) throws InterruptedException {
        for (int i = 0; i < 300 && console.size() <= from; i++) Thread.sleep(20);
        assertTrue(console.size() > from, "the guest made progress");
    }
}
