package boxd.vmm.arch.x86_64;

/**
 * Where a kernel landed: its 64-bit entry point, the end of the memory it uses before it reads the e820 map (its
 * image, or for a bzImage its decompression area), and (bzImage only) its setup header.
 */
public record LoadedKernel(long entry, long end, byte[] setupHeader) {
}
