package boxd.vmm.kvm;

import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import boxd.vmm.sys.SysException;

import java.util.function.Consumer;
import java.util.function.Function;

/** The ioctl shapes of the VM and vCPU fds: a failure is a {@link KvmException}; struct arguments live in a scratch buffer. */
final class KvmIoctl {
    private KvmIoctl() {}

    static int call(int fd, long req, long arg, String name) {
        try {
            return Sys.ioctl(fd, req, arg, name);
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    static int call(int fd, long req, NativeBuffer arg, String name) {
        try {
            return Sys.ioctl(fd, req, arg, name);
        } catch (SysException e) {
            throw KvmException.of(e);
        }
    }

    /** Passes a struct of {@code size} bytes that {@code fill} writes; {@return the ioctl's result} */
    static int set(int fd, long req, String name, long size, Consumer<NativeBuffer> fill) {
        try (NativeBuffer b = NativeBuffer.allocate(size)) {
            fill.accept(b);
            return call(fd, req, b, name);
        }
    }

    /** Fetches a struct of {@code size} bytes; {@return what {@code read} makes of it} */
    static <T> T get(int fd, long req, String name, long size, Function<NativeBuffer, T> read) {
        try (NativeBuffer b = NativeBuffer.allocate(size)) {
            call(fd, req, b, name);
            return read.apply(b);
        }
    }
}
