package boxd.worker.runtime;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

/**
 * The microVM runtime over the boxd VMM. Not available yet: the VMM module does not offer an API to boot and run a
 * box (kernel + root disk + tap + serial log) at the time of writing, and this runtime never falls back to
 * namespaces pretending to be VMs.
 */
public final class VmRuntime {
    private VmRuntime() {}

    /** @throws BoxdException always, saying what to use instead */
    public static BoxRuntime create() {
        throw new BoxdException(ErrorCode.INTERNAL,
                "the vm runtime is not available on this host: this build's VMM (module vmm) offers no API to boot a box yet",
                "start with --runtime=ns (Linux namespaces), which runs the same image");
    }
}
