package boxd.vmm.devices.virtio;

import boxd.vmm.memory.GuestMemory;

import java.lang.invoke.VarHandle;

/**
 * A split virtqueue as the driver configured it through the transport: sizes, ring addresses, and the device's own
 * positions in the rings. {@link #pop} hands out validated chains; {@link #addUsed} returns them.
 */
public final class Queue {
    public static final int MAX_SIZE = 32768;
    private static final int AVAIL_F_NO_INTERRUPT = 1;

    private final int maxSize;
    private int size;
    private boolean ready;
    private long descTable, availRing, usedRing;
    private int nextAvail, nextUsed;
    private boolean broken;
    private boolean usedSinceSignal;

    public Queue(int maxSize) {
        if (maxSize <= 0 || maxSize > MAX_SIZE || Integer.bitCount(maxSize) != 1) throw new IllegalArgumentException("queue size " + maxSize);
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int maxSize() { return maxSize; }
    public int size() { return size; }
    public boolean ready() { return ready; }
    public long descTable() { return descTable; }
    public long availRing() { return availRing; }
    public long usedRing() { return usedRing; }
    public int nextAvail() { return nextAvail; }
    public int nextUsed() { return nextUsed; }
    /** {@return whether the driver broke the ring protocol (an avail index too far ahead); the queue is then ignored} */
    public boolean broken() { return broken; }

    public void size(int v) { size = v; }
    public void ready(boolean v) { ready = v; }
    public void descTable(long v) { descTable = v; }
    public void availRing(long v) { availRing = v; }
    public void usedRing(long v) { usedRing = v; }

    public void reset() {
        size = maxSize;
        ready = false;
        descTable = availRing = usedRing = 0;
        nextAvail = nextUsed = 0;
        broken = false;
        usedSinceSignal = false;
    }

    /** {@return whether size and ring addresses are sane and the rings lie inside guest memory} */
    public boolean isValid(GuestMemory mem) {
        return ready && size > 0 && size <= maxSize && Integer.bitCount(size) == 1
                && (descTable & 15) == 0 && (availRing & 1) == 0 && (usedRing & 3) == 0
                && mem.isValid(descTable, 16L * size) && mem.isValid(availRing, 6 + 2L * size)
                && mem.isValid(usedRing, 6 + 8L * size);
    }

    /** {@return how many chains the driver has made available that the device has not taken} */
    public int pending(GuestMemory mem) {
        if (broken) return 0;
        int idx = mem.readU16Acquire(availRing + 2);
        int n = (idx - nextAvail) & 0xFFFF;
        if (n > size) {
            broken = true;
            return 0;
        }
        return n;
    }

    /**
     * Takes the next available chain: null when there is none. A malformed chain throws {@link InvalidChainException}
     * after it is taken, so the caller returns its head with {@link #addUsed} and goes on.
     */
    public DescriptorChain pop(GuestMemory mem) throws InvalidChainException {
        if (pending(mem) == 0) return null;
        int head = mem.readU16(availRing + 4 + 2L * (nextAvail % size));
        nextAvail = (nextAvail + 1) & 0xFFFF;
        return DescriptorChain.parse(mem, descTable, size, head);
    }

    /**
     * Takes the next well-formed chain: null when there is none. Malformed chains on the way are returned to the driver
     * at once ({@link #addUsed} with length 0) and skipped.
     */
    public DescriptorChain popValid(GuestMemory mem) {
        while (true) {
            try {
                return pop(mem);
            } catch (InvalidChainException e) {
                addUsed(mem, e.head(), 0);
            }
        }
    }

    /** Writes a used element and publishes the new used index. */
    public void addUsed(GuestMemory mem, int head, long len) {
        long e = usedRing + 4 + 8L * (nextUsed % size);
        mem.writeU32(e, head);
        mem.writeU32(e + 4, len);
        nextUsed = (nextUsed + 1) & 0xFFFF;
        mem.writeU16Release(usedRing + 2, nextUsed);
        usedSinceSignal = true;
    }

    /** {@return whether {@link #addUsed} ran since the last call (which clears that)} */
    public boolean takeUsed() {
        boolean u = usedSinceSignal;
        usedSinceSignal = false;
        return u;
    }

    /** {@return whether the driver wants an interrupt for used buffers (it has not set NO_INTERRUPT)} */
    public boolean needsNotification(GuestMemory mem) {
        VarHandle.fullFence();
        return (mem.readU16(availRing) & AVAIL_F_NO_INTERRUPT) == 0;
    }
}
