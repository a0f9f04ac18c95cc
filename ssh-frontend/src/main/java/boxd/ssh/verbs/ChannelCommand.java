package boxd.ssh.verbs;

import boxd.common.BoxdException;
import boxd.ssh.relay.Tty;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.SignalListener;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A MINA {@link Command} that runs its body on a thread of its own (MINA calls {@code start} on an I/O thread, which
 * must not block), flushes stdout and stderr, then reports the exit status exactly once.
 */
public final class ChannelCommand implements Command {
    private static final Logger log = LoggerFactory.getLogger(ChannelCommand.class);

    /** What the command does once the channel is set up. */
    @FunctionalInterface
    public interface Body {
        /** @return the exit status */
        int run(ServerSession session, InputStream in, OutputStream out, OutputStream err, Tty tty) throws Exception;
    }

    private final ExecutorService threads;
    private final Body body;
    private final AtomicBoolean exited = new AtomicBoolean();
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Future<?> running;

    public ChannelCommand(ExecutorService threads, Body body) {
        this.threads = threads;
        this.body = body;
    }

    @Override public void setInputStream(InputStream in) { this.in = in; }

    @Override public void setOutputStream(OutputStream out) { this.out = out; }

    @Override public void setErrorStream(OutputStream err) { this.err = err; }

    @Override public void setExitCallback(ExitCallback callback) { this.exit = callback; }

    @Override
    public void start(ChannelSession channel, Environment env) {
        Tty tty = ttyOf(env);
        ServerSession session = channel.getServerSession();
        running = threads.submit(() -> {
            int rc;
            try {
                rc = body.run(session, in, out, err, tty);
            } catch (BoxdException e) {
                rc = writeError(e);
            } catch (Throwable t) {
                log.warn("command on channel {} failed", channel, t);
                rc = writeError(new BoxdException(boxd.common.ErrorCode.INTERNAL, "internal error: " + t, "the server log has details"));
            }
            finish(rc);
        });
    }

    private int writeError(BoxdException e) {
        try {
            String s = "error: " + e.getMessage() + (e.hint().isEmpty() ? "" : "\nhint: " + e.hint()) + "\n";
            err.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // client gone
        }
        return VerbRouter.EXIT_FAILED;
    }

    private void finish(int rc) {
        if (!exited.compareAndSet(false, true)) return;
        try {
            // MINA flushes only stdout when closing the shell: stderr first, then stdout, then the status
            err.flush();
            out.flush();
        } catch (IOException ignored) {
            // the client is gone; the status below is best effort
        }
        exit.onExit(rc);
    }

    @Override
    public void destroy(ChannelSession channel) {
        Future<?> f = running;
        if (f != null) f.cancel(true);
    }

    /**
     * {@return the user's terminal, or null when the client asked for none} A pty-req sets modes, TERM, COLUMNS and
     * LINES; OpenSSH sends no modes when its own stdin is not a terminal ({@code ssh -tt < script}), so the size
     * variables count too.
     */
    static Tty ttyOf(Environment env) {
        Map<PtyMode, Integer> modes = env.getPtyModes();
        Map<String, String> e = env.getEnv();
        boolean sized = e.containsKey(Environment.ENV_COLUMNS) && e.containsKey(Environment.ENV_LINES);
        if ((modes == null || modes.isEmpty()) && !sized) return null;
        return new Tty(e.get(Environment.ENV_TERM), parse(e.get(Environment.ENV_COLUMNS)), parse(e.get(Environment.ENV_LINES)),
                modes, listener -> {
                    SignalListener l = (ch, signal) -> listener.accept(parse(env.getEnv().get(Environment.ENV_COLUMNS)),
                            parse(env.getEnv().get(Environment.ENV_LINES)));
                    env.addSignalListener(l, Signal.WINCH);
                    return () -> env.removeSignalListener(l);
                });
    }

    private static int parse(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
