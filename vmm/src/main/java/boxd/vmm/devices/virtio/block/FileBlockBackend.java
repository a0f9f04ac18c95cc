package boxd.vmm.devices.virtio.block;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw disk image file read and written with positional FileChannel I/O straight into guest memory. */
public final class FileBlockBackend implements BlockBackend {
    private final FileChannel ch;
    private final long size;

    public FileBlockBackend(Path path, boolean readOnly) throws IOException {
        this.ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.size = ch.size();
    }

    @Override public long sizeBytes() { return size; }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new EOFException("read past the end of the disk image");
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        long pos = offset;
        while (src.hasRemaining()) pos += ch.write(src, pos);
    }

    @Override public void flush() throws IOException { ch.force(false); }

    @Override public void close() throws IOException { ch.close(); }
}
