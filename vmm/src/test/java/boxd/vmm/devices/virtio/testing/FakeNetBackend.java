package boxd.vmm.devices.virtio.testing;

import boxd.vmm.devices.virtio.net.NetBackend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** A network backend made of two queues: frames the guest sent, frames waiting for the guest. */
public final class FakeNetBackend implements NetBackend {
    public final List<byte[]> sent = new ArrayList<>();
    public final ArrayDeque<byte[]> toGuest = new ArrayDeque<>();

    @Override public synchronized void send(byte[] frame, int off, int len) { sent.add(java.util.Arrays.copyOfRange(frame, off, off + len)); }

    @Override
    public synchronized int receive(byte[] buf) {
        byte[] f = toGuest.poll();
        if (f == null) return -1;
        System.arraycopy(f, 0, buf, 0, f.length);
        return f.length;
    }

    @Override public int pollFd() { return -1; }
}
