package boxd.vmm.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** Direct-mapped libc calls. Package-private: everything else goes through {@link Sys}. */
final class LibC {
    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {}

    static native int open(String path, int flags, int mode) throws LastErrorException;
    static native int close(int fd) throws LastErrorException;
    static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;
    static native int ioctl(int fd, long request, long arg) throws LastErrorException;
    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;
    static native int munmap(long addr, long length) throws LastErrorException;
    static native int eventfd(int initval, int flags) throws LastErrorException;
    static native long read(int fd, Pointer buf, long count) throws LastErrorException;
    static native long write(int fd, Pointer buf, long count) throws LastErrorException;
    static native long pread(int fd, Pointer buf, long count, long offset) throws LastErrorException;
    static native int epoll_create1(int flags) throws LastErrorException;
    static native int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;
    static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout) throws LastErrorException;
    static native int memfd_create(String name, int flags) throws LastErrorException;
    static native int ftruncate(int fd, long length) throws LastErrorException;
    static native int gettid();
    static native int getpid();
    static native int tgkill(int tgid, int tid, int sig) throws LastErrorException;
    static native int __libc_current_sigrtmin();
    static native int pthread_sigmask(int how, Pointer set, Pointer oldset);
    static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout) throws LastErrorException;
}
