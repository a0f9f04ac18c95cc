package boxd.vmm.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * The libc calls the VMM makes, with Java types only, each failure a {@link SysException} naming the call and errno.
 * The rest of the VMM uses this class and {@link NativeBuffer}; nothing outside this package sees JNA.
 */
public final class Sys {
    private Sys() {}

    private static SysException fail(String call, LastErrorException e) {
        return new SysException(call, e.getErrorCode());
    }

    public static int open(String path, int flags) {
        try {
            return LibC.open(path, flags, 0);
        } catch (LastErrorException e) {
            throw new SysException("open(" + path + ")", e.getErrorCode());
        }
    }

    public static void close(int fd) {
        if (fd < 0) return;
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            // closing is best effort: the fd is gone either way
        }
    }

    /** ioctl with a pointer argument; {@code name} goes into the error. */
    public static int ioctl(int fd, long request, NativeBuffer arg, String name) {
        try {
            return LibC.ioctl(fd, request, arg == null ? Pointer.NULL : arg.pointer());
        } catch (LastErrorException e) {
            throw fail(name, e);
        }
    }

    /** ioctl with an integer argument. */
    public static int ioctl(int fd, long request, long arg, String name) {
        try {
            return LibC.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw fail(name, e);
        }
    }

    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        try {
            long a = LibC.mmap(0, length, prot, flags, fd, offset);
            if (a == -1) throw new SysException("mmap", Errno.ENOMEM);
            return a;
        } catch (LastErrorException e) {
            throw fail("mmap", e);
        }
    }

    public static void munmap(long address, long length) {
        try {
            LibC.munmap(address, length);
        } catch (LastErrorException e) {
            throw fail("munmap", e);
        }
    }

    public static int eventfd(int flags) {
        try {
            return LibC.eventfd(0, flags);
        } catch (LastErrorException e) {
            throw fail("eventfd", e);
        }
    }

    public static int memfdCreate(String name, int flags) {
        try {
            return LibC.memfd_create(name, flags);
        } catch (LastErrorException e) {
            throw fail("memfd_create", e);
        }
    }

    public static void ftruncate(int fd, long length) {
        try {
            LibC.ftruncate(fd, length);
        } catch (LastErrorException e) {
            throw fail("ftruncate", e);
        }
    }

    /** read(2) into a native buffer; returns -1 on EAGAIN, 0 at end of file. */
    public static long read(int fd, NativeBuffer buf, long len) {
        try {
            return LibC.read(fd, buf.pointer(), Math.min(len, buf.size()));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN) return -1;
            throw fail("read", e);
        }
    }

    /** write(2) from a native buffer; returns -1 on EAGAIN. */
    public static long write(int fd, NativeBuffer buf, long len) {
        try {
            return LibC.write(fd, buf.pointer(), Math.min(len, buf.size()));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN) return -1;
            throw fail("write", e);
        }
    }

    public static int epollCreate() {
        try {
            return LibC.epoll_create1(LinuxAbi.EPOLL_CLOEXEC);
        } catch (LastErrorException e) {
            throw fail("epoll_create1", e);
        }
    }

    public static void epollCtl(int epfd, int op, int fd, int events, long data) {
        try (NativeBuffer ev = NativeBuffer.allocate(LinuxAbi.SIZEOF_EPOLL_EVENT)) {
            ev.putI32(LinuxAbi.OFF_EPOLL_EVENT_EVENTS, events);
            ev.putI64(LinuxAbi.OFF_EPOLL_EVENT_DATA, data);
            LibC.epoll_ctl(epfd, op, fd, ev.pointer());
        } catch (LastErrorException e) {
            throw fail("epoll_ctl", e);
        }
    }

    /** epoll_wait into {@code events} (an array of epoll_event); returns the count, 0 on timeout or EINTR. */
    public static int epollWait(int epfd, NativeBuffer events, int timeoutMillis) {
        try {
            return LibC.epoll_wait(epfd, events.pointer(), (int) (events.size() / LinuxAbi.SIZEOF_EPOLL_EVENT), timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EINTR) return 0;
            throw fail("epoll_wait", e);
        }
    }

    public static int gettid() { return LibC.gettid(); }

    public static int getpid() { return LibC.getpid(); }

    /** Sends {@code sig} to one thread of this process. */
    public static void tgkill(int tid, int sig) {
        try {
            LibC.tgkill(LibC.getpid(), tid, sig);
        } catch (LastErrorException e) {
            throw fail("tgkill", e);
        }
    }

    public static int sigRtMin() { return LibC.__libc_current_sigrtmin(); }

    /** A glibc sigset_t with only {@code sig} set. */
    public static NativeBuffer sigset(int sig) {
        NativeBuffer set = NativeBuffer.allocate(LinuxAbi.SIZEOF_SIGSET_T);
        int bit = sig - 1;
        set.putU8(bit / 8, 1 << (bit % 8));
        return set;
    }

    /** pthread_sigmask for the calling thread; returns the previous mask (caller closes). */
    public static NativeBuffer threadSigmask(int how, NativeBuffer set) {
        NativeBuffer old = NativeBuffer.allocate(LinuxAbi.SIZEOF_SIGSET_T);
        int rc = LibC.pthread_sigmask(how, set == null ? Pointer.NULL : set.pointer(), old.pointer());
        if (rc != 0) throw new SysException("pthread_sigmask", rc);
        return old;
    }

    /** Takes one pending signal in {@code set} without waiting; returns it, or -1 if none is pending. */
    public static int sigtimedwaitNow(NativeBuffer set) {
        try (NativeBuffer ts = NativeBuffer.allocate(LinuxAbi.SIZEOF_TIMESPEC);
             NativeBuffer info = NativeBuffer.allocate(LinuxAbi.SIZEOF_SIGINFO_T)) {
            return LibC.sigtimedwait(set.pointer(), info.pointer(), ts.pointer());
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EAGAIN || e.getErrorCode() == Errno.EINTR) return -1;
            throw fail("sigtimedwait", e);
        }
    }
}
