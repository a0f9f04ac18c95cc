package boxd.common;

/**
 * One role of a boxd process (control, worker, ssh, dns, proxy). {@code serve} starts them in order and closes them
 * in reverse; a role that cannot start throws from {@link #start()} with a message saying why.
 */
public interface Role extends AutoCloseable {
    /** {@return a short name for logs: "control", "ssh", ...} */
    String name();

    /** Starts serving; returns once the role accepts work. */
    void start() throws Exception;

    /** {@return one line for the start-up log: what it listens on, which runtime, ...} */
    default String describe() { return name(); }

    /** Stops serving and releases what it holds. Must be safe to call twice and after a failed start. */
    @Override
    void close();
}
