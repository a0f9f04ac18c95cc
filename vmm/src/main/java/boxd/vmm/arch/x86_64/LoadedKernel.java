package boxd.vmm.arch.x86_64;

/** Where a kernel landed: its 64-bit entry point, the end of its image, and (bzImage only) its setup header. */
public record LoadedKernel(long entry, long end, byte[] setupHeader) {
}
