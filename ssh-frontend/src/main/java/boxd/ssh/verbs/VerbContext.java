package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import boxd.common.Json;
import boxd.common.Names;
import boxd.ssh.auth.Caller;
import boxd.ssh.relay.BoxRelay;
import boxd.ssh.relay.Tty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What one verb invocation sees: the services, who called, the streams of its channel, and the user's terminal (null
 * without a PTY). Text written with {@link #println} gets CR LF line ends when there is a terminal (an exec channel has
 * no line discipline to add them); {@link #rawOut()} is for bytes that must pass unchanged.
 */
public final class VerbContext {
    private final VerbServices services;
    private final Caller caller;
    private final InputStream in;
    private final OutputStream out;
    private final OutputStream err;
    private final Tty tty;
    private CommandLine line;
    private org.jline.terminal.Terminal terminal;

    public VerbContext(VerbServices services, Caller caller, InputStream in, OutputStream out, OutputStream err, Tty tty) {
        this.services = services;
        this.caller = caller;
        this.in = in;
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    public VerbServices services() { return services; }

    public Control control() { return services.control(); }

    public BoxRelay relay() { return services.relay(); }

    public Caller caller() { return caller; }

    /** {@return the caller's account name} @throws BoxdException FORBIDDEN when the key has no account yet */
    public String user() { return caller.name(); }

    public InputStream in() { return in; }

    public OutputStream rawOut() { return out; }

    public OutputStream rawErr() { return err; }

    public Tty tty() { return tty; }

    public String zone() { return services.zone(); }

    /** {@return the JLine terminal already open on this session (at the prompt), or null} */
    public org.jline.terminal.Terminal terminal() { return terminal; }

    /** Marks that verbs run at a prompt over this terminal (so {@code dash} reuses it). {@return this} */
    public VerbContext terminal(org.jline.terminal.Terminal t) {
        this.terminal = t;
        return this;
    }

    /** {@return the whole line being run (exec uses the command text as typed)} */
    public CommandLine line() { return line; }

    void line(CommandLine line) { this.line = line; }

    public void println(String text) { write(out, text + "\n"); }

    public void print(String text) { write(out, text); }

    public void eprintln(String text) { write(err, text + "\n"); }

    /** Writes one JSON value and a newline to stdout. */
    public void json(Object value) { write(out, Json.write(value) + "\n"); }

    public void flush() {
        try {
            out.flush();
            err.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(OutputStream s, String text) {
        String t = tty == null ? text : text.replace("\r\n", "\n").replace("\n", "\r\n");
        try {
            s.write(t.getBytes(StandardCharsets.UTF_8));
            s.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client went away: " + e.getMessage(), e);
        }
    }

    /** {@return the caller's box of that name} @throws BoxdException INVALID for a bad name, NOT_FOUND when none */
    public Box box(String name) {
        Names.requireLabel("box name", name);
        return control().box(user(), name).orElseThrow(() -> new BoxdException(ErrorCode.NOT_FOUND,
                "you have no box named '" + name + "'", "see your boxes with 'list'"));
    }

    /** {@return the box, which must be running} @throws BoxdException CONFLICT when it is not */
    public Box runningBox(String name) {
        Box b = box(name);
        if (!b.isRunning()) throw BoxRelay.notRunning(b);
        return b;
    }
}
