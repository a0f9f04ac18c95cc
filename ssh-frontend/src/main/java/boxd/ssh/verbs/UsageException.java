package boxd.ssh.verbs;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

/** The verb line itself is wrong (unknown verb or flag, missing argument): exit status 2, like a shell builtin. */
public final class UsageException extends BoxdException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message, String hint) {
        super(ErrorCode.INVALID, message, hint);
    }
}
