package boxd.app.serve;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

import boxd.common.Role;

/**
 * Starts roles in order, each built from the context the ones before it left (the control client after control), and
 * closes them in reverse. When one cannot start, the ones already started are closed before the failure is reported,
 * so serve never leaves half a node running.
 */
final class RoleSequence {
    /** A role could not be built or started; the started ones are already closed. */
    static final class StartFailed extends Exception {
        final String role;

        StartFailed(String role, Throwable cause) {
            super("the " + role + " role could not start: " + ServeCommand.message(cause), cause);
            this.role = role;
        }
    }

    private final Deque<Role> started = new ArrayDeque<>();
    private final PrintStream out;
    private final PrintStream err;

    RoleSequence(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code steps} in order, printing one line per role.
     *
     * @param stopRequested checked before each role: when true, start-up stops (the started roles stay for {@link #closeAll})
     * @return false when start-up was stopped early
     */
    boolean startAll(List<RoleStep> steps, ServeContext ctx, BooleanSupplier stopRequested) throws StartFailed {
        for (RoleStep step : steps) {
            if (stopRequested.getAsBoolean()) return false;
            Role role = null;
            try {
                role = step.factory().create(ctx);
                role.start();
            } catch (Exception | Error e) {  // an Error too (a broken jar): the roles started must still be closed
                if (role != null) closeQuietly(role);
                closeAll();
                throw new StartFailed(step.name(), e);
            }
            started.push(role);
            String line = role.describe();
            out.println(line.startsWith(step.name() + " ") || line.startsWith(step.name() + ":") ? line : step.name() + ": " + line);
            if (step.client() != null) ctx = ctx.withControl(step.client().client(role));
        }
        return true;
    }

    int size() { return started.size(); }

    /** Closes every started role, the last started first. */
    void closeAll() {
        while (!started.isEmpty()) {
            Role r = started.pop();
            closeQuietly(r);
            out.println(r.name() + ": closed");
        }
    }

    private void closeQuietly(Role r) {
        try {
            r.close();
        } catch (RuntimeException e) {
            err.println("boxd serve: closing " + r.name() + " failed: " + ServeCommand.message(e));
        }
    }
}
