package boxd.tui;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs one verb line, already split into words ({@code ["new", "--name", "web"]}); the SSH frontend implements it
 * with its command grammar. The prompt, the line mode and the dashboard's wiring all go through it.
 *
 * <p>Contract: write results to {@code out}, errors (with a hint) to {@code err}, return the exit status (0 = ok). A
 * {@link RuntimeException} escaping it is shown as an error with status 1 and the session goes on. The calling thread
 * is interrupted when the user presses Ctrl-C while a verb runs at the prompt; long waits should give up then.
 *
 * <p>At the prompt, {@code in} and {@code out} are the session's terminal in its normal (cooked) mode. A verb that
 * relays a remote terminal ({@code connect}) should switch with {@link Terminals#enterRelayMode} and restore after,
 * so that Ctrl-C reaches the box instead of interrupting the verb; a full-screen verb ({@code dash}) runs
 * {@link Dashboard} on the same terminal.
 */
@FunctionalInterface
public interface VerbRunner {
    int run(List<String> argv, InputStream in, PrintStream out, PrintStream err);
}
