package boxd.vmm.devices.virtio.net;

import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import boxd.vmm.sys.SysException;
import boxd.vmm.sys.TunAbi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A tap device (IFF_TAP | IFF_NO_PI), non-blocking, attached by name; the interface must exist or be creatable. */
public final class Tap implements NetBackend {
    private final int fd;
    private final String name;
    private final NativeBuffer rx = NativeBuffer.allocate(65536);
    private final NativeBuffer tx = NativeBuffer.allocate(65536);

    public Tap(String name) throws IOException {
        if (name.isEmpty() || name.length() >= TunAbi.IFNAMSIZ) throw new IOException("tap name must be 1-15 characters: " + name);
        this.name = name;
        int f;
        try {
            f = Sys.open("/dev/net/tun", LinuxAbi.O_RDWR | LinuxAbi.O_CLOEXEC | LinuxAbi.O_NONBLOCK);
        } catch (SysException e) {
            throw new IOException("cannot open /dev/net/tun for tap " + name + ": " + e.getMessage() + " (needs root or CAP_NET_ADMIN)", e);
        }
        try (NativeBuffer ifr = NativeBuffer.allocate(TunAbi.SIZEOF_IFREQ)) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            ifr.putBytes(0, n, 0, n.length);
            ifr.putU16(TunAbi.OFF_IFREQ_FLAGS, TunAbi.IFF_TAP | TunAbi.IFF_NO_PI);
            Sys.ioctl(f, TunAbi.TUNSETIFF, ifr, "TUNSETIFF(" + name + ")");
        } catch (SysException e) {
            Sys.close(f);
            throw new IOException("cannot attach tap " + name + ": " + e.getMessage(), e);
        }
        this.fd = f;
    }

    public String name() { return name; }

    @Override
    public synchronized void send(byte[] frame, int off, int len) throws IOException {
        tx.putBytes(0, frame, off, Math.min(len, (int) tx.size()));
        try {
            Sys.write(fd, tx, len); // a full tap queue drops the frame, as a real NIC would
        } catch (SysException e) {
            throw new IOException("tap " + name + " write: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized int receive(byte[] buf) throws IOException {
        try {
            long n = Sys.read(fd, rx, Math.min(buf.length, rx.size()));
            if (n <= 0) return -1;
            rx.getBytes(0, buf, 0, (int) n);
            return (int) n;
        } catch (SysException e) {
            throw new IOException("tap " + name + " read: " + e.getMessage(), e);
        }
    }

    @Override public int pollFd() { return fd; }

    @Override
    public void close() {
        Sys.close(fd);
        rx.close();
        tx.close();
    }
}
