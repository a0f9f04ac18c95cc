package boxd.vmm.devices.legacy;

import boxd.vmm.devices.BusDevice;

import java.util.function.LongConsumer;

/**
 * Firecracker's boot-time marker: the guest's init writes the byte 123 to this MMIO page (through /dev/mem), and
 * the VMM reports the nanoseconds since the VM was started.
 */
public final class BootTimer implements BusDevice {
    public static final long ADDRESS = 0xC000_0000L, SIZE = 0x1000;
    public static final int MAGIC = 123;

    private final LongConsumer onBoot;
    private volatile long startNanos = System.nanoTime();
    private volatile long bootNanos = -1;

    public BootTimer(LongConsumer onBoot) {
        this.onBoot = onBoot;
    }

    /** Sets the moment the VM started (its first vCPU was released). */
    public void markStart(long nanos) { startNanos = nanos; }

    /** {@return nanoseconds from VM start to the marker, or -1 before it was written} */
    public long bootNanos() { return bootNanos; }

    @Override
    public void read(long offset, byte[] data) { java.util.Arrays.fill(data, (byte) 0); }

    @Override
    public void write(long offset, byte[] data) {
        if (offset == 0 && data.length > 0 && (data[0] & 0xFF) == MAGIC && bootNanos < 0) {
            bootNanos = System.nanoTime() - startNanos;
            onBoot.accept(bootNanos);
        }
    }
}
