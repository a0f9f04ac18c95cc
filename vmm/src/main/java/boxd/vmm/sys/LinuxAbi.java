package boxd.vmm.sys;

/** libc flag values and struct layouts (x86_64 glibc) used by {@link Sys}; checked against the C headers by a test. */
public final class LinuxAbi {
    private LinuxAbi() {}

    public static final int O_RDONLY = 0, O_RDWR = 2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 1, EPOLLOUT = 4, EPOLLERR = 8, EPOLLHUP = 0x10, EPOLLET = 0x80000000;
    public static final int SIZEOF_EPOLL_EVENT = 12;
    public static final int OFF_EPOLL_EVENT_EVENTS = 0;
    public static final int OFF_EPOLL_EVENT_DATA = 4;
    public static final int MFD_CLOEXEC = 1;
    public static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    public static final int SIZEOF_SIGSET_T = 128;
    public static final int SIZEOF_SIGINFO_T = 128;
    public static final int SIZEOF_TIMESPEC = 16;
    /** The kernel's own sigset is 64 bits: what KVM_SET_SIGNAL_MASK expects. */
    public static final int KERNEL_SIGSET_BYTES = 8;
}
