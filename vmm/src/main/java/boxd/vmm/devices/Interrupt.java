package boxd.vmm.devices;

/** An interrupt line a device can pulse (an irqfd on a VM; a counter in tests). */
@FunctionalInterface
public interface Interrupt {
    void trigger();
}
