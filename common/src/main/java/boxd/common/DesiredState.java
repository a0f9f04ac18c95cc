package boxd.common;

/** What the owner wants a box to be. Set by the frontend through the control plane; the worker drives toward it. */
public enum DesiredState {
    RUNNING,
    /** Running, but the worker must restart it once; goes back to RUNNING when the worker reports it restarted. */
    REBOOTING,
    DESTROYED
}
