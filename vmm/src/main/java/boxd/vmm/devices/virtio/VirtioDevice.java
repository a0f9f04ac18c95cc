package boxd.vmm.devices.virtio;

import boxd.vmm.memory.GuestMemory;

import java.util.List;

/** What a virtio device offers its transport: identity, features, queues, config space, and the activate/notify/reset cycle. */
public interface VirtioDevice {
    int deviceType();

    /** {@return the feature bits offered to the driver (must include VERSION_1)} */
    long availableFeatures();

    /** {@return the maximum size of each queue; the count is the number of queues} */
    int[] queueMaxSizes();

    /** The driver accepted {@code features} (a subset of the offered bits). */
    void ackFeatures(long features);

    void readConfig(long offset, byte[] data);

    void writeConfig(long offset, byte[] data);

    /** Starts the device on validated queues; {@code mem} is where the rings and buffers live. */
    void activate(GuestMemory mem, List<Queue> queues, VirtioInterrupt interrupt);

    boolean isActive();

    /** The driver made buffers available on queue {@code index}. */
    void queueNotify(int index);

    /** Back to the state before activation (the driver wrote status 0). */
    void reset();
}
