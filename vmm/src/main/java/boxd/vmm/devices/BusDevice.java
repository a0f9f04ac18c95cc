package boxd.vmm.devices;

/** A device on the port-I/O or MMIO bus; offsets are relative to the device's base. Called from vCPU threads. */
public interface BusDevice {
    /** Fills {@code data} (1, 2, 4 or 8 bytes, little-endian) with what the guest reads at {@code offset}. */
    void read(long offset, byte[] data);

    /** Takes the guest's write of {@code data} at {@code offset}. */
    void write(long offset, byte[] data);
}
