package boxd.vmm.io;

import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;

/** A non-blocking eventfd: the doorbell behind irqfd (VMM to guest) and ioeventfd (guest to VMM). */
public final class EventFd implements AutoCloseable {
    private final int fd;
    private final NativeBuffer buf = NativeBuffer.allocate(8);

    public EventFd() {
        this.fd = Sys.eventfd(LinuxAbi.EFD_CLOEXEC | LinuxAbi.EFD_NONBLOCK);
    }

    public int fd() { return fd; }

    /** Adds 1 to the counter (wakes a reader, or pulses an irqfd's interrupt line). */
    public synchronized void signal() {
        buf.putI64(0, 1);
        Sys.write(fd, buf, 8);
    }

    /** Reads and clears the counter; returns it (0 when nothing was signalled). */
    public synchronized long drain() {
        long n = Sys.read(fd, buf, 8);
        return n == 8 ? buf.getI64(0) : 0;
    }

    @Override
    public synchronized void close() {
        Sys.close(fd);
        buf.close();
    }
}
