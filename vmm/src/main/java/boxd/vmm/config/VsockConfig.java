package boxd.vmm.config;

/** A virtio-vsock device; the guest's context id must be at least 3. */
public record VsockConfig(long guestCid) {
    public VsockConfig {
        if (guestCid < 3) throw new IllegalArgumentException("vsock guest CID must be >= 3 (0-2 are reserved), got " + guestCid);
    }
}
