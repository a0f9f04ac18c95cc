package boxd.vmm.devices.virtio.testing;

import boxd.vmm.devices.Interrupt;
import boxd.vmm.devices.virtio.VirtioInterrupt;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts interrupts instead of raising them. */
public final class CountingInterrupt implements Interrupt, VirtioInterrupt {
    public final AtomicInteger used = new AtomicInteger();
    public final AtomicInteger config = new AtomicInteger();

    @Override public void trigger() { used.incrementAndGet(); }
    @Override public void signalUsedQueue() { used.incrementAndGet(); }
    @Override public void signalConfigChange() { config.incrementAndGet(); }
}
