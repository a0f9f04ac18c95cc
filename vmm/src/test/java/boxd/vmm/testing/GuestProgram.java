package boxd.vmm.testing;

import boxd.common.testing.Cmd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a tiny freestanding 64-bit guest from C at test time (never a committed binary): a static ELF linked at
 * 1 MiB that the VMM loads like a vmlinux and enters in long mode with RSP = 0x8ff0. {@link #PRELUDE} gives it port
 * I/O, MMIO, serial output and an i8042 reset to end the VM.
 */
public final class GuestProgram {
    private GuestProgram() {}

    public static final String PRELUDE = """
            typedef unsigned char u8; typedef unsigned short u16; typedef unsigned int u32; typedef unsigned long u64;
            static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(p)); }
            static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
            static inline void outl(u16 p, u32 v) { __asm__ volatile("outl %0,%1" :: "a"(v), "Nd"(p)); }
            static inline u32 inl(u16 p) { u32 v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
            static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
            static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
            static void putc_(char c) { outb(0x3f8, c); }
            static void puts_(const char *s) { while (*s) putc_(*s++); }
            static void puthex(u64 v) { for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]); }
            static void reset(void) { outb(0x64, 0xFE); for (;;) __asm__ volatile("hlt"); }
            static void guest_main(void);
            __attribute__((section(".text.start"))) void _start(void) { guest_main(); reset(); }
            """;

    /** Compiles {@code body} (which defines {@code guest_main}) after the prelude; returns the ELF. */
    public static Path build(Path dir, String name, String body) {
        try {
            Path src = dir.resolve(name + ".c");
            Path elf = dir.resolve(name + ".elf");
            Files.writeString(src, PRELUDE + body);
            Cmd.run(List.of("gcc", "-m64", "-O2", "-ffreestanding", "-fno-pic", "-fno-pie", "-no-pie", "-nostdlib", "-static",
                    "-mno-red-zone", "-mgeneral-regs-only", "-fno-stack-protector", "-fcf-protection=none",
                    "-fno-asynchronous-unwind-tables", "-Wl,-Ttext-segment=0x100000", "-Wl,-e,_start", "-Wl,--build-id=none",
                    "-Wl,-z,noexecstack", "-o", elf.toString(), src.toString()), null, 120, dir).requireSuccess();
            return elf;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
