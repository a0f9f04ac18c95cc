package boxd.worker.runtime;

/**
 * What a host has of one box.
 *
 * @param detail a short human note (pid, why it is stopped)
 */
public record RuntimeState(Phase phase, String detail) {
    public enum Phase {
        /** Nothing on this host. */
        ABSENT,
        /** Created (disk, directory) but not running. */
        STOPPED,
        /** Its processes run. */
        RUNNING
    }

    public static RuntimeState absent() { return new RuntimeState(Phase.ABSENT, ""); }
}
