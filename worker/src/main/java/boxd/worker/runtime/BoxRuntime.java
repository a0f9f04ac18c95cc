package boxd.worker.runtime;

import java.util.List;

/**
 * Runs boxes on this host: the ns runtime (Linux namespaces + overlayfs + cgroup) or the vm runtime (a microVM on the
 * boxd VMM). Every method is idempotent and safe to call for a box it knows nothing about; every failure throws
 * {@link boxd.common.BoxdException} with what happened and what to do. Calls for one box are serialized by the caller;
 * calls for different boxes may run concurrently.
 */
public interface BoxRuntime extends AutoCloseable {

    /** {@return "ns" or "vm"} */
    String name();

    /** Makes the box's persistent parts (per-box directory, disk). Does not start it. */
    void create(BoxLaunch box);

    /**
     * Starts the created box and returns once its sshd answers on {@code ipv4:22} (the box is then RUNNING).
     * Starting a running box does nothing.
     */
    void start(BoxLaunch box);

    /** Stops the box's processes; its disk stays. Stopping a stopped box does nothing. */
    void stop(String boxId);

    /** Removes everything the box has on this host: processes, mounts, network links, cgroups, disk and directory. */
    void destroy(String boxId);

    /** {@return what this host has of the box} */
    RuntimeState inspect(String boxId);

    /**
     * Re-attaches to a box left running by an earlier worker process (after a restart or a kill -9), so that stop,
     * destroy and key updates reach it again. {@return true when it runs and is now managed; false when it is not
     * running (then {@link #start} it)}
     */
    boolean adopt(BoxLaunch box);

    /** Replaces the box's {@code /home/boxd/.ssh/authorized_keys} while it runs (no-op when stopped: start writes them). */
    void updateKeys(String boxId, List<String> authorizedKeys);

    /** {@return ids of every box this host has anything of (for finding orphans)} */
    List<String> list();

    /** Releases what the runtime itself holds; boxes keep running. */
    @Override
    default void close() {}
}
