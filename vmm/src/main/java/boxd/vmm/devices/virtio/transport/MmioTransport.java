package boxd.vmm.devices.virtio.transport;

import boxd.vmm.devices.BusDevice;
import boxd.vmm.devices.Interrupt;
import boxd.vmm.devices.virtio.Queue;
import boxd.vmm.devices.virtio.VirtioDevice;
import boxd.vmm.devices.virtio.VirtioFeatures;
import boxd.vmm.devices.virtio.VirtioInterrupt;
import boxd.vmm.memory.GuestMemory;

import java.util.ArrayList;
import java.util.List;

/**
 * virtio-mmio version 2: the register window, status state machine and feature negotiation for one device. Writes
 * that arrive in the wrong status state are ignored, as the spec lets a device do. Queue kicks normally arrive
 * through an ioeventfd (see {@link #NOTIFY_OFFSET}) and reach {@link #notifyQueue} from the I/O thread.
 */
public final class MmioTransport implements BusDevice, VirtioInterrupt {
    public static final long WINDOW_SIZE = 0x1000;
    public static final long NOTIFY_OFFSET = 0x50;
    public static final int MAGIC = 0x74726976;

    static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, DEVICE_NEEDS_RESET = 64, FAILED = 128;
    static final int INT_USED = 1, INT_CONFIG = 2;

    private final VirtioDevice device;
    private final GuestMemory mem;
    private final Interrupt irq;
    private final List<Queue> queues = new ArrayList<>();
    private int status;
    private int deviceFeaturesSel, driverFeaturesSel, queueSel;
    private long driverFeatures;
    // atomics, not the transport lock: devices signal while holding their own lock (lock order device -> none)
    private final java.util.concurrent.atomic.AtomicInteger interruptStatus = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger configGeneration = new java.util.concurrent.atomic.AtomicInteger();

    public MmioTransport(VirtioDevice device, GuestMemory mem, Interrupt irq) {
        this.device = device;
        this.mem = mem;
        this.irq = irq;
        for (int max : device.queueMaxSizes()) queues.add(new Queue(max));
    }

    public VirtioDevice device() { return device; }

    public int queueCount() { return queues.size(); }

    public synchronized int status() { return status; }

    public int interruptStatus() { return interruptStatus.get(); }

    private Queue selected() { return queueSel < queues.size() ? queues.get(queueSel) : null; }

    private static int le32(byte[] d) {
        return (d[0] & 0xFF) | (d[1] & 0xFF) << 8 | (d[2] & 0xFF) << 16 | (d[3] & 0xFF) << 24;
    }

    private static void putLe32(byte[] d, int v) {
        for (int i = 0; i < 4; i++) d[i] = (byte) (v >>> (8 * i));
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (offset >= 0x100) {
            device.readConfig(offset - 0x100, data);
            return;
        }
        java.util.Arrays.fill(data, (byte) 0);
        if (data.length != 4 || (offset & 3) != 0) return;
        Queue q = selected();
        int v = switch ((int) offset) {
            case 0x000 -> MAGIC;
            case 0x004 -> 2;
            case 0x008 -> device.deviceType();
            case 0x00C -> 0;
            case 0x010 -> {
                long f = device.availableFeatures() | VirtioFeatures.VERSION_1;
                yield deviceFeaturesSel == 0 ? (int) f : deviceFeaturesSel == 1 ? (int) (f >>> 32) : 0;
            }
            case 0x034 -> q == null ? 0 : q.maxSize();
            case 0x044 -> q != null && q.ready() ? 1 : 0;
            case 0x060 -> interruptStatus.get();
            case 0x070 -> status;
            case 0x0FC -> configGeneration.get();
            default -> 0;
        };
        putLe32(data, v);
    }

    @Override
    public void write(long offset, byte[] data) {
        Integer notify = null;
        synchronized (this) {
            if (offset >= 0x100) {
                if ((status & DRIVER) != 0 && (status & FAILED) == 0) device.writeConfig(offset - 0x100, data);
                return;
            }
            if (data.length != 4 || (offset & 3) != 0) return;
            int v = le32(data);
            Queue q = selected();
            boolean queueSetup = (status & FEATURES_OK) != 0 && (status & DRIVER_OK) == 0 && q != null;
            switch ((int) offset) {
                case 0x014 -> deviceFeaturesSel = v;
                case 0x020 -> {
                    if ((status & DRIVER) != 0 && (status & FEATURES_OK) == 0 && driverFeaturesSel < 2) {
                        int shift = 32 * driverFeaturesSel;
                        driverFeatures = (driverFeatures & ~(0xFFFF_FFFFL << shift)) | ((v & 0xFFFF_FFFFL) << shift);
                    }
                }
                case 0x024 -> driverFeaturesSel = v;
                case 0x030 -> queueSel = v;
                case 0x038 -> { if (queueSetup) q.size(v); }
                case 0x044 -> { if (queueSetup) q.ready(v == 1); }
                case 0x050 -> notify = v;
                case 0x064 -> interruptStatus.getAndUpdate(x -> x & ~v);
                case 0x070 -> setStatus(v);
                case 0x080 -> { if (queueSetup) q.descTable(low(q.descTable(), v)); }
                case 0x084 -> { if (queueSetup) q.descTable(high(q.descTable(), v)); }
                case 0x090 -> { if (queueSetup) q.availRing(low(q.availRing(), v)); }
                case 0x094 -> { if (queueSetup) q.availRing(high(q.availRing(), v)); }
                case 0x0A0 -> { if (queueSetup) q.usedRing(low(q.usedRing(), v)); }
                case 0x0A4 -> { if (queueSetup) q.usedRing(high(q.usedRing(), v)); }
                default -> { }
            }
        }
        // outside the transport lock: the device takes its own lock and may call back into signalUsedQueue
        if (notify != null) notifyQueue(notify);
    }

    private static long low(long old, int v) { return (old & ~0xFFFF_FFFFL) | (v & 0xFFFF_FFFFL); }

    private static long high(long old, int v) { return (old & 0xFFFF_FFFFL) | ((long) v << 32); }

    private void setStatus(int v) {
        if (v == 0) {
            device.reset();
            for (Queue q : queues) q.reset();
            status = 0;
            driverFeatures = 0;
            interruptStatus.set(0);
            deviceFeaturesSel = driverFeaturesSel = queueSel = 0;
            configGeneration.incrementAndGet();
            return;
        }
        if ((v & FAILED) != 0) {
            status |= FAILED;
            return;
        }
        int added = v & ~status;
        if ((v & status) != status) return; // clearing bits other than by reset is not allowed
        switch (added) {
            case ACKNOWLEDGE -> { if (status == 0) status = v; }
            case DRIVER -> { if (status == ACKNOWLEDGE) status = v; }
            case FEATURES_OK -> {
                if (status == (ACKNOWLEDGE | DRIVER)) {
                    long offered = device.availableFeatures() | VirtioFeatures.VERSION_1;
                    // a version-2 device requires VERSION_1 and never accepts features it did not offer
                    if ((driverFeatures & VirtioFeatures.VERSION_1) != 0 && (driverFeatures & ~offered) == 0) {
                        device.ackFeatures(driverFeatures);
                        status = v;
                    }
                }
            }
            case DRIVER_OK -> {
                if (status == (ACKNOWLEDGE | DRIVER | FEATURES_OK)) {
                    status = v;
                    List<Queue> active = new ArrayList<>();
                    boolean ok = true;
                    for (Queue q : queues) {
                        if (q.ready() && !q.isValid(mem)) ok = false;
                        active.add(q);
                    }
                    if (ok) {
                        device.activate(mem, List.copyOf(active), this);
                    } else {
                        status |= DEVICE_NEEDS_RESET;
                        signalConfigChange();
                    }
                }
            }
            default -> { }
        }
    }

    /** The driver kicked queue {@code index} (from the ioeventfd or a trapped write). */
    public void notifyQueue(int index) {
        Queue q;
        synchronized (this) {
            if ((status & DRIVER_OK) == 0 || index < 0 || index >= queues.size()) return;
            q = queues.get(index);
            if (!q.ready()) return;
        }
        device.queueNotify(index);
    }

    @Override
    public void signalUsedQueue() {
        interruptStatus.getAndUpdate(x -> x | INT_USED);
        irq.trigger();
    }

    @Override
    public void signalConfigChange() {
        interruptStatus.getAndUpdate(x -> x | INT_CONFIG);
        configGeneration.incrementAndGet();
        irq.trigger();
    }
}
