package boxd.app.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs (see the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather than with the cpio tool so that
 * device nodes such as /dev/console can be added without root and the bytes are the same on every run (fixed mtime,
 * owner and inode numbers), which keeps the image's hash stable.
 */
public final class Cpio {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int nextInode = 1;
    private boolean finished;

    public Cpio dir(String path, int perm) {
        return entry(path, S_IFDIR | perm, 0, 0, new byte[0]);
    }

    public Cpio file(String path, int perm, byte[] data) {
        return entry(path, S_IFREG | perm, 0, 0, data);
    }

    public Cpio symlink(String path, String target) {
        return entry(path, S_IFLNK | 0777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    public Cpio charDevice(String path, int perm, int major, int minor) {
        return entry(path, S_IFCHR | perm, major, minor, new byte[0]);
    }

    /** Appends the trailer; {@return the archive} */
    public byte[] finish() {
        if (!finished) {
            header("TRAILER!!!", 0, 0, 0, 0, 0);
            out.writeBytes(name("TRAILER!!!"));
            pad();
            finished = true;
        }
        return out.toByteArray();
    }

    private Cpio entry(String path, int mode, int rdevMajor, int rdevMinor, byte[] data) {
        if (finished) throw new IllegalStateException("archive already finished");
        String name = path.startsWith("/") ? path.substring(1) : path;
        header(name, nextInode++, mode, data.length, rdevMajor, rdevMinor);
        out.writeBytes(name(name));
        pad();
        out.writeBytes(data);
        pad();
        return this;
    }

    private void header(String name, int inode, int mode, int size, int rdevMajor, int rdevMinor) {
        int nlink = (mode & 0170000) == S_IFDIR ? 2 : 1;
        StringBuilder h = new StringBuilder("070701");
        // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
        for (int v : new int[] {inode, mode, 0, 0, inode == 0 ? 1 : nlink, 0, size, 0, 0, rdevMajor, rdevMinor,
                name.getBytes(StandardCharsets.UTF_8).length + 1, 0}) {
            h.append(String.format("%08x", v));
        }
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] name(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    /** Header plus name, and each file's data, start on a 4-byte boundary. */
    private void pad() {
        while (out.size() % 4 != 0) out.write(0);
    }
}
