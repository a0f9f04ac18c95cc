package boxd.common;

/**
 * What a box is, as last reported. Transitions:
 * <pre>
 * PENDING --scheduler assigns--> SCHEDULED --worker starts--> STARTING --sshd answers--> RUNNING
 * any --worker fails--> ERROR;  any --worker lease expires--> LOST;  destroyed boxes are deleted from the state
 * </pre>
 */
public enum ObservedState {
    PENDING, SCHEDULED, STARTING, RUNNING, STOPPING, STOPPED, ERROR, LOST;

    /** {@return the lower-case name used in human and JSON output} */
    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
