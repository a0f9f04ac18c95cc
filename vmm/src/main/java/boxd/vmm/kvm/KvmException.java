package boxd.vmm.kvm;

import boxd.vmm.sys.Errno;
import boxd.vmm.sys.SysException;

/** A KVM ioctl failed: names the ioctl, the errno and, where one is known, what to do about it. */
public final class KvmException extends RuntimeException {
    private final String ioctl;
    private final int errno;

    public KvmException(String ioctl, int errno, String hint) {
        super(ioctl + " failed: " + Errno.describe(errno) + (hint == null ? "" : "; " + hint));
        this.ioctl = ioctl;
        this.errno = errno;
    }

    public KvmException(String message) {
        super(message);
        this.ioctl = "";
        this.errno = 0;
    }

    static KvmException of(SysException e) {
        String hint = switch (e.errno()) {
            case Errno.EACCES, Errno.EPERM -> "check that this user can read and write /dev/kvm (group kvm)";
            case Errno.ENOENT, Errno.ENODEV -> "this host has no KVM (load kvm_intel/kvm_amd or run on a machine with virtualization)";
            case Errno.ENOMEM -> "the host is out of memory";
            default -> null;
        };
        return new KvmException(e.call(), e.errno(), hint);
    }

    /** {@return the ioctl (or call) that failed} */
    public String ioctl() { return ioctl; }

    /** {@return the errno, 0 when the failure was not an errno} */
    public int errno() { return errno; }
}
