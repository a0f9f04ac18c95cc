package boxd.ssh.verbs;

import java.util.List;

/**
 * One command of the grammar shared by {@code ssh HOST VERB ...}, the {@code boxd>} prompt and the local CLI. A verb
 * parses nothing itself: the router hands it {@link Args} checked against {@link #spec()}.
 */
public interface Verb {
    String name();

    default List<String> aliases() { return List.of(); }

    /** {@return the synopsis, e.g. "info NAME"} */
    String usage();

    /** {@return one line saying what it does} */
    String summary();

    /** {@return longer help: flags, JSON shape} (may be "") */
    default String details() { return ""; }

    ArgSpec spec();

    /** Whether the caller must have an account (every verb but {@code register} and {@code help}). */
    default boolean needsAccount() { return true; }

    /** Runs the verb. @return the exit status @throws boxd.common.BoxdException to report an error (exit 1, 2 for usage) */
    int run(Args args, VerbContext ctx) throws Exception;
}
