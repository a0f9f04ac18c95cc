package boxd.vmm.devices.virtio.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a block device's bytes live: a raw image file, or memory in tests. */
public interface BlockBackend extends AutoCloseable {
    long sizeBytes();

    /** Fills {@code dst} from byte {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;

    void write(long offset, ByteBuffer src) throws IOException;

    void flush() throws IOException;

    @Override
    default void close() throws IOException {}
}
