package boxd.app.config;

/** The command line or boxd.toml is wrong: the message says what, and the command exits 2 (1 for boxd.toml). */
public final class UsageException extends RuntimeException {
    private final int exitStatus;

    public UsageException(String message) {
        this(message, 2);
    }

    public UsageException(String message, int exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() { return exitStatus; }
}
