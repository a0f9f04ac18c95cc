package boxd.common;

/**
 * An operation was refused or failed. {@link #getMessage()} says what happened, {@link #hint()} what to do about it.
 * Verbs print both; JSON output carries {@code code}, {@code message} and {@code hint}.
 */
public class BoxdException extends RuntimeException {
    private final ErrorCode code;
    private final String hint;

    public BoxdException(ErrorCode code, String message, String hint) {
        super(message);
        this.code = code;
        this.hint = hint == null ? "" : hint;
    }

    public BoxdException(ErrorCode code, String message) {
        this(code, message, "");
    }

    public BoxdException(ErrorCode code, String message, String hint, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.hint = hint == null ? "" : hint;
    }

    public ErrorCode code() { return code; }

    public String hint() { return hint; }
}
