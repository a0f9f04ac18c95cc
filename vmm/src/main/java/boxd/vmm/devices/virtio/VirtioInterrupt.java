package boxd.vmm.devices.virtio;

/** How a device tells the driver something happened; the transport sets its interrupt status and pulses the line. */
public interface VirtioInterrupt {
    void signalUsedQueue();

    void signalConfigChange();
}
