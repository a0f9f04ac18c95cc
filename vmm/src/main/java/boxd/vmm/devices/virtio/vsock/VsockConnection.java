package boxd.vmm.devices.virtio.vsock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One stream connection between a host program and the guest. Bytes written here travel as RW packets when the
 * guest has credit for them; bytes the guest sends are read from {@link #input()}.
 */
public final class VsockConnection implements AutoCloseable {
    final VsockDevice device;
    final int localPort;
    final int peerPort;
    // guarded by device
    int peerBufAlloc, peerFwdCnt, txCnt, lastAdvertisedFwd;
    final ByteArrayOutputStream outbound = new ByteArrayOutputStream();
    boolean connected, closed, localShutdown;
    // guarded by this
    private final java.util.ArrayDeque<byte[]> inbound = new java.util.ArrayDeque<>();
    private int inboundBytes;
    private int headOffset;
    private boolean eof;
    private int fwdCnt;

    VsockConnection(VsockDevice device, int localPort, int peerPort) {
        this.device = device;
        this.localPort = localPort;
        this.peerPort = peerPort;
    }

    public int localPort() { return localPort; }

    public int peerPort() { return peerPort; }

    synchronized int fwdCnt() { return fwdCnt; }

    synchronized int inboundBytes() { return inboundBytes; }

    synchronized void deliver(byte[] data) {
        if (data.length > 0) {
            inbound.add(data);
            inboundBytes += data.length;
        }
        notifyAll();
    }

    synchronized void markEof() {
        eof = true;
        notifyAll();
    }

    /** Reads what the guest sent, blocking until data, end of stream (-1) or the timeout (0 bytes). */
    public int read(byte[] buf, int off, int len, long timeoutMillis) throws IOException {
        int n;
        synchronized (this) {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (inbound.isEmpty() && !eof) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return 0;
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted reading vsock connection");
                }
            }
            if (inbound.isEmpty()) return -1;
            byte[] head = inbound.peek();
            n = Math.min(len, head.length - headOffset);
            System.arraycopy(head, headOffset, buf, off, n);
            headOffset += n;
            if (headOffset == head.length) {
                inbound.poll();
                headOffset = 0;
            }
            inboundBytes -= n;
            fwdCnt += n;
        }
        device.consumed(this); // outside our lock: the device lock comes first
        return n;
    }

    public InputStream input() {
        return new InputStream() {
            @Override public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xFF;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                int n;
                do {
                    n = VsockConnection.this.read(b, off, len, 60_000);
                } while (n == 0);
                return n;
            }
        };
    }

    public OutputStream output() {
        return new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) throws IOException { device.send(VsockConnection.this, b, off, len); }
        };
    }

    @Override
    public void close() { device.shutdown(this); }
}
