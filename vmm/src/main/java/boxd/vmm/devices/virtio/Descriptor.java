package boxd.vmm.devices.virtio;

/** One split-virtqueue descriptor: a guest buffer, already checked to lie inside guest memory. */
public record Descriptor(long addr, int len, int flags, int next) {
    public static final int F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;

    public boolean isWrite() { return (flags & F_WRITE) != 0; }
    public boolean hasNext() { return (flags & F_NEXT) != 0; }
    public boolean isIndirect() { return (flags & F_INDIRECT) != 0; }
}
