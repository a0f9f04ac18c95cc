package boxd.vmm.devices.virtio.net;

import java.io.IOException;

/** The host side of a virtio-net device: a tap device, or a fake in tests. Frames are plain Ethernet. */
public interface NetBackend extends AutoCloseable {
    /** Sends one frame from the guest. */
    void send(byte[] frame, int off, int len) throws IOException;

    /** Reads one frame for the guest into {@code buf} without blocking; -1 when none is waiting. */
    int receive(byte[] buf) throws IOException;

    /** {@return an fd that polls readable when a frame is waiting, or -1 if the backend pushes frames itself} */
    int pollFd();

    @Override
    default void close() throws IOException {}
}
