package boxd.vmm.devices.virtio;

/** Device-independent feature bits and device type ids (virtio 1.x). */
public final class VirtioFeatures {
    private VirtioFeatures() {}

    public static final long VERSION_1 = 1L << 32;
    public static final int TYPE_NET = 1, TYPE_BLOCK = 2, TYPE_VSOCK = 19;
}
