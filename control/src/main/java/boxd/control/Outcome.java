package boxd.control;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

/** What applying a command did: {@link Applied} (with a short result, e.g. the id it touched) or {@link Rejected}. */
public sealed interface Outcome {

    record Applied(String result) implements Outcome {}

    record Rejected(ErrorCode code, String message, String hint) implements Outcome {
        public BoxdException toException() {
            return new BoxdException(code, message, hint);
        }
    }

    static Outcome ok(String result) {
        return new Applied(result == null ? "" : result);
    }

    static Outcome reject(ErrorCode code, String message, String hint) {
        return new Rejected(code, message, hint == null ? "" : hint);
    }

    static Outcome reject(ErrorCode code, String message) {
        return new Rejected(code, message, "");
    }
}
