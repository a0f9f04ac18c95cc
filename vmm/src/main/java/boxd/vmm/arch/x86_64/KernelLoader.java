package boxd.vmm.arch.x86_64;

import boxd.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a Linux kernel into guest memory: an uncompressed {@code vmlinux} (ELF64, PT_LOAD segments at their physical
 * addresses, entry {@code e_entry}) or a {@code bzImage} (64-bit boot protocol 2.12+: protected-mode part at 1 MiB,
 * entry at load address + 0x200). ELF is tried first, as Firecracker does.
 */
public final class KernelLoader {
    private KernelLoader() {}

    public static final int HDRS = 0x53726448;

    public static LoadedKernel load(GuestMemory mem, Path kernel) throws IOException {
        byte[] img = Files.readAllBytes(kernel);
        if (img.length >= 4 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F') return loadElf(mem, img);
        return loadBzImage(mem, img);
    }

    public static LoadedKernel loadElf(GuestMemory mem, byte[] img) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        if (img.length < 64 || img[4] != 2 || img[5] != 1) throw new IOException("kernel is not a little-endian ELF64 file");
        if ((b.getShort(18) & 0xFFFF) != 62) throw new IOException("kernel ELF is not for x86_64");
        long entry = b.getLong(0x18);
        long phoff = b.getLong(0x20);
        int phentsize = b.getShort(0x36) & 0xFFFF;
        int phnum = b.getShort(0x38) & 0xFFFF;
        if (entry < Layout.HIMEM) throw new IOException(String.format("kernel entry %#x is below 1 MiB", entry));
        if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > img.length) throw new IOException("kernel ELF program headers are truncated");
        long end = 0;
        int loaded = 0;
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            if (b.getInt(o) != 1) continue; // PT_LOAD only
            long offset = b.getLong(o + 8), paddr = b.getLong(o + 24), filesz = b.getLong(o + 32), memsz = b.getLong(o + 40);
            if (filesz < 0 || offset < 0 || offset + filesz > img.length || filesz > memsz) throw new IOException("kernel ELF segment " + i + " is truncated");
            if (!mem.isValid(paddr, memsz)) {
                throw new IOException(String.format("kernel segment %#x+%#x does not fit guest memory (give the VM more memory)", paddr, memsz));
            }
            mem.write(paddr, img, (int) offset, (int) filesz);
            end = Math.max(end, paddr + memsz);
            loaded++;
        }
        if (loaded == 0) throw new IOException("kernel ELF has no loadable segments");
        return new LoadedKernel(entry, end, null);
    }

    public static LoadedKernel loadBzImage(GuestMemory mem, byte[] img) throws IOException {
        if (img.length < 0x270) throw new IOException("kernel is neither an ELF vmlinux nor a bzImage (too short)");
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(BootParams.HEADER) != HDRS) throw new IOException("kernel is neither an ELF vmlinux nor a bzImage (no HdrS magic)");
        int version = b.getShort(BootParams.VERSION) & 0xFFFF;
        if (version < 0x20C) throw new IOException(String.format("bzImage boot protocol %#x is older than 2.12 (no 64-bit entry)", version));
        if ((img[BootParams.LOADFLAGS] & 1) == 0) throw new IOException("bzImage is not loaded high (LOADED_HIGH clear)");
        if ((b.getShort(BootParams.XLOADFLAGS) & 1) == 0) throw new IOException("bzImage has no 64-bit entry point (XLF_KERNEL_64 clear)");
        int setupSects = img[BootParams.SETUP_SECTS] & 0xFF;
        if (setupSects == 0) setupSects = 4;
        int kernelOff = (setupSects + 1) * 512;
        if (kernelOff >= img.length) throw new IOException("bzImage is truncated");
        long load = Layout.HIMEM;
        int len = img.length - kernelOff;
        // The compressed kernel moves itself and decompresses in [runStart, runStart + init_size): runStart is its load
        // address rounded up to kernel_alignment, but never below LOAD_PHYSICAL_ADDR, which the header gives as
        // pref_address (arch/x86/boot/compressed/head_64.S). Everything the VMM places (the initrd) must stay out of it.
        long initSize = b.getInt(BootParams.INIT_SIZE) & 0xFFFF_FFFFL;
        long align = b.getInt(BootParams.KERNEL_ALIGNMENT) & 0xFFFF_FFFFL;
        long runStart = align > 1 && Long.bitCount(align) == 1 ? (load + align - 1) & -align : load;
        runStart = Math.max(runStart, b.getLong(BootParams.PREF_ADDRESS));
        if (!mem.isValid(load, len) || !mem.isValid(runStart, initSize)) {
            throw new IOException(String.format("bzImage needs guest memory up to %#x to decompress (give the VM more memory)",
                    runStart + initSize));
        }
        mem.write(load, img, kernelOff, len);
        int hdrEnd = BootParams.HEADER + (img[BootParams.JUMP + 1] & 0xFF);
        byte[] header = java.util.Arrays.copyOfRange(img, BootParams.SETUP_HEADER, Math.min(hdrEnd, img.length));
        return new LoadedKernel(load + 0x200, Math.max(load + len, runStart + initSize), header);
    }
}
