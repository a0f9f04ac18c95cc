package boxd.vmm.devices.virtio;

import boxd.vmm.memory.GuestMemory;

import java.util.List;

/**
 * Activation state shared by all devices: {@code Inactive --activate--> Active --reset--> Inactive}. Methods are
 * synchronized: a queue may be kicked from a vCPU thread (MMIO write) or the I/O thread (ioeventfd).
 */
public abstract class AbstractVirtioDevice implements VirtioDevice {
    protected GuestMemory mem;
    protected List<Queue> queues;
    protected VirtioInterrupt interrupt;
    protected long ackedFeatures;
    private boolean active;

    @Override
    public synchronized void ackFeatures(long features) { ackedFeatures = features & availableFeatures(); }

    @Override
    public synchronized void activate(GuestMemory mem, List<Queue> queues, VirtioInterrupt interrupt) {
        this.mem = mem;
        this.queues = queues;
        this.interrupt = interrupt;
        this.active = true;
        onActivate();
    }

    @Override
    public synchronized boolean isActive() { return active; }

    @Override
    public synchronized void reset() {
        active = false;
        ackedFeatures = 0;
        onReset();
    }

    @Override
    public synchronized void queueNotify(int index) {
        if (!active || index < 0 || index >= queues.size()) return;
        process(index);
    }

    /** Handles queue {@code index}; runs with the device lock held and only while active. */
    protected abstract void process(int index);

    protected void onActivate() {}

    protected void onReset() {}

    /** Pulses the interrupt if buffers were returned on queue {@code q} since the last call and the driver wants one. */
    protected void signalUsed(Queue q) {
        if (q.takeUsed() && q.needsNotification(mem)) interrupt.signalUsedQueue();
    }

    /** Reads config bytes from {@code config} at {@code offset}, zeros past its end. */
    protected static void readConfigBytes(byte[] config, long offset, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            long o = offset + i;
            data[i] = o >= 0 && o < config.length ? config[(int) o] : 0;
        }
    }
}
