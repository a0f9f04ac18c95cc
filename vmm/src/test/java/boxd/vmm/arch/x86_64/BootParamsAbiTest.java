package boxd.vmm.arch.x86_64;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles a C program against the Linux UAPI header {@code <asm/bootparam.h>} (linux-libc-dev) that prints the
 * offset of every zero-page and setup-header field the VMM writes or reads, and compares them with
 * {@link BootParams}'s constants (which {@link KernelLoader} also uses for the bzImage file header).
 */
class BootParamsAbiTest {
    @Test
    void zeroPageAndSetupHeaderOffsetsMatchTheKernelHeader(@TempDir Path dir) throws Exception {
        Host.requireCommand("gcc", "gcc");
        Map<String, Long> java = new HashMap<>();
        Map<String, String> c = new HashMap<>();
        put(java, c, "E820_ENTRIES", BootParams.E820_ENTRIES, "offsetof(struct boot_params, e820_entries)");
        put(java, c, "SENTINEL", BootParams.SENTINEL, "offsetof(struct boot_params, sentinel)");
        put(java, c, "SETUP_HEADER", BootParams.SETUP_HEADER, "offsetof(struct boot_params, hdr)");
        put(java, c, "SETUP_SECTS", BootParams.SETUP_SECTS, "offsetof(struct boot_params, hdr.setup_sects)");
        put(java, c, "BOOT_FLAG", BootParams.BOOT_FLAG, "offsetof(struct boot_params, hdr.boot_flag)");
        put(java, c, "JUMP", BootParams.JUMP, "offsetof(struct boot_params, hdr.jump)");
        put(java, c, "HEADER", BootParams.HEADER, "offsetof(struct boot_params, hdr.header)");
        put(java, c, "VERSION", BootParams.VERSION, "offsetof(struct boot_params, hdr.version)");
        put(java, c, "TYPE_OF_LOADER", BootParams.TYPE_OF_LOADER, "offsetof(struct boot_params, hdr.type_of_loader)");
        put(java, c, "LOADFLAGS", BootParams.LOADFLAGS, "offsetof(struct boot_params, hdr.loadflags)");
        put(java, c, "RAMDISK_IMAGE", BootParams.RAMDISK_IMAGE, "offsetof(struct boot_params, hdr.ramdisk_image)");
        put(java, c, "RAMDISK_SIZE", BootParams.RAMDISK_SIZE, "offsetof(struct boot_params, hdr.ramdisk_size)");
        put(java, c, "CMD_LINE_PTR", BootParams.CMD_LINE_PTR, "offsetof(struct boot_params, hdr.cmd_line_ptr)");
        put(java, c, "INITRD_ADDR_MAX", BootParams.INITRD_ADDR_MAX, "offsetof(struct boot_params, hdr.initrd_addr_max)");
        put(java, c, "KERNEL_ALIGNMENT", BootParams.KERNEL_ALIGNMENT, "offsetof(struct boot_params, hdr.kernel_alignment)");
        put(java, c, "XLOADFLAGS", BootParams.XLOADFLAGS, "offsetof(struct boot_params, hdr.xloadflags)");
        put(java, c, "CMDLINE_SIZE", BootParams.CMDLINE_SIZE, "offsetof(struct boot_params, hdr.cmdline_size)");
        put(java, c, "PREF_ADDRESS", BootParams.PREF_ADDRESS, "offsetof(struct boot_params, hdr.pref_address)");
        put(java, c, "INIT_SIZE", BootParams.INIT_SIZE, "offsetof(struct boot_params, hdr.init_size)");
        put(java, c, "E820_TABLE", BootParams.E820_TABLE, "offsetof(struct boot_params, e820_table)");
        put(java, c, "E820_ENTRY_SIZE", BootParams.E820_ENTRY_SIZE, "sizeof(struct boot_e820_entry)");
        put(java, c, "E820_ENTRY_ADDR", 0, "offsetof(struct boot_e820_entry, addr)");
        put(java, c, "E820_ENTRY_SIZE_FIELD", 8, "offsetof(struct boot_e820_entry, size)");
        put(java, c, "E820_ENTRY_TYPE", 16, "offsetof(struct boot_e820_entry, type)");
        put(java, c, "E820_MAX_ENTRIES_ZEROPAGE", BootParams.E820_MAX_ENTRIES_ZEROPAGE, "E820_MAX_ENTRIES_ZEROPAGE");
        put(java, c, "E820_RAM", BootParams.E820_RAM, "1 /* E820_TYPE_RAM, not in UAPI */");
        put(java, c, "SIZEOF_BOOT_PARAMS", 4096, "sizeof(struct boot_params)");
        put(java, c, "LOADED_HIGH", 1, "LOADED_HIGH");
        put(java, c, "XLF_KERNEL_64", 1, "XLF_KERNEL_64");
        put(java, c, "HDRS", KernelLoader.HDRS, "0x53726448 /* \"HdrS\" */");
        put(java, c, "ZERO_PAGE_FITS", 1, "(long long)(sizeof(struct boot_params) <= 4096)");

        StringBuilder src = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <asm/bootparam.h>
                int main(void) {
                """);
        List<String> names = new ArrayList<>(c.keySet());
        for (String n : names) src.append("printf(\"%s %lld\\n\", \"").append(n).append("\", (long long)(").append(c.get(n)).append("));\n");
        src.append("return 0; }\n");
        Path file = dir.resolve("bootparam.c");
        Files.writeString(file, src);
        Cmd.Result built = Cmd.run(List.of("gcc", "-o", dir.resolve("bootparam").toString(), file.toString()), null, 120, dir);
        org.junit.jupiter.api.Assumptions.assumeTrue(built.exit() == 0 || !built.stderr().contains("asm/bootparam.h"),
                "skipped: <asm/bootparam.h> is missing (install linux-libc-dev)");
        built.requireSuccess();
        String out = Cmd.run(List.of(dir.resolve("bootparam").toString()), null, 30, dir).requireSuccess().stdout();
        Map<String, Long> fromC = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] p = line.trim().split(" ");
            fromC.put(p[0], Long.parseLong(p[1]));
        }
        List<String> mismatches = new ArrayList<>();
        for (String n : names) {
            if (!java.get(n).equals(fromC.get(n))) mismatches.add(String.format("%s: java %#x, <asm/bootparam.h> %#x", n, java.get(n), fromC.get(n)));
        }
        assertTrue(mismatches.isEmpty(), "boot_params layout differs from the kernel header: " + mismatches);
        assertEquals(names.size(), fromC.size(), "every field was printed");
    }

    private static void put(Map<String, Long> java, Map<String, String> c, String name, long value, String expr) {
        java.put(name, value);
        c.put(name, expr);
    }
}
