package boxd.vmm.arch.x86_64;

import boxd.common.testing.Host;
import boxd.vmm.memory.HeapGuestMemory;
import boxd.vmm.testing.GuestProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ElfLoaderTest {
    @Test
    void loadsAGccBuiltElfAtItsPhysicalAddresses(@TempDir Path dir) throws Exception {
        Host.requireCommand("gcc", "gcc");
        Path elf = GuestProgram.build(dir, "hello", "static void guest_main(void) { puts_(\"marker-string-xyz\"); }\n");
        HeapGuestMemory mem = HeapGuestMemory.of(16L << 20);
        LoadedKernel k = KernelLoader.load(mem, elf);
        assertTrue(k.entry() >= Layout.HIMEM, "entry above 1 MiB: " + Long.toHexString(k.entry()));
        assertNull(k.setupHeader());
        byte[] image = mem.read(Layout.HIMEM, (int) (k.end() - Layout.HIMEM));
        assertTrue(new String(image, java.nio.charset.StandardCharsets.ISO_8859_1).contains("marker-string-xyz"),
                "the string literal was loaded into guest memory");
        byte[] tooSmall = Files.readAllBytes(elf);
        assertThrows(java.io.IOException.class, () -> KernelLoader.loadElf(HeapGuestMemory.of(1 << 20), tooSmall),
                "a kernel that does not fit memory is refused");
    }
}
