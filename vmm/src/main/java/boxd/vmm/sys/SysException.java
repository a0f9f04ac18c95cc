package boxd.vmm.sys;

/** A libc call failed; carries the call's name and errno so callers can tell EINTR/EAGAIN apart from real errors. */
public final class SysException extends RuntimeException {
    private final String call;
    private final int errno;

    public SysException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** {@return the libc function (or ioctl) that failed} */
    public String call() { return call; }

    /** {@return the errno value} */
    public int errno() { return errno; }
}
