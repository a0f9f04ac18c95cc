package boxd.worker.runtime;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

/**
 * The microVM runtime over the boxd VMM. Not available yet. The VMM's {@code VmmBuilder}/{@code Vm} (kernel, virtio
 * disks, tap, serial) landed while this worker was written; what the worker still lacks to run a box on it: finding
 * the guest kernel built by {@code boxd image build}, a guest init in the root image that mounts the per-box
 * copy-on-write disk and applies hostname, address and keys from a small per-box config disk, and a tap moved into
 * the bridge's namespace. It never falls back to namespaces pretending to be VMs.
 */
public final class VmRuntime {
    private VmRuntime() {}

    /** @throws BoxdException always, saying what to use instead */
    public static BoxRuntime create() {
        throw new BoxdException(ErrorCode.INTERNAL,
                "the vm runtime is not available in this build: the worker cannot boot boxes on the boxd VMM yet"
                        + " (guest kernel lookup, guest init and per-box config disk are not written)",
                "start with --runtime=ns (Linux namespaces), which runs the same image");
    }
}
