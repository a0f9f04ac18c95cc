package boxd.ssh.shell;

import boxd.ssh.relay.Tty;
import boxd.tui.Terminals;
import org.apache.sshd.common.channel.PtyMode;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** JLine terminals over SSH channels: built from the client's PTY request, resized on window-change. */
final class TerminalSessions {
    private TerminalSessions() {}

    /** A terminal that follows the client's window size until it is closed. */
    record Opened(Terminal terminal, AutoCloseable resize) implements AutoCloseable {
        @Override
        public void close() {
            try {
                resize.close();
                terminal.close();
            } catch (Exception e) {
                // the session is ending; nothing left to restore
            }
        }
    }

    static Opened open(InputStream in, OutputStream out, Tty tty) {
        Terminal t = Terminals.open(in, out, tty.term(), tty.columns(), tty.lines(), attributes(tty.modes()));
        AutoCloseable resize = tty.changes().subscribe((cols, lines) -> {
            if (cols > 0 && lines > 0) t.setSize(new Size(cols, lines));
            t.raise(Terminal.Signal.WINCH);
        });
        return new Opened(t, resize);
    }

    /** Maps the client's PTY modes onto terminal attributes (control characters and the flags JLine acts on). */
    static Attributes attributes(Map<PtyMode, Integer> modes) {
        Attributes a = new Attributes();
        for (Map.Entry<PtyMode, Integer> e : modes.entrySet()) {
            int v = e.getValue();
            boolean on = v != 0;
            switch (e.getKey()) {
                case VINTR -> a.setControlChar(ControlChar.VINTR, v);
                case VQUIT -> a.setControlChar(ControlChar.VQUIT, v);
                case VERASE -> a.setControlChar(ControlChar.VERASE, v);
                case VKILL -> a.setControlChar(ControlChar.VKILL, v);
                case VEOF -> a.setControlChar(ControlChar.VEOF, v);
                case VEOL -> a.setControlChar(ControlChar.VEOL, v);
                case VEOL2 -> a.setControlChar(ControlChar.VEOL2, v);
                case VSTART -> a.setControlChar(ControlChar.VSTART, v);
                case VSTOP -> a.setControlChar(ControlChar.VSTOP, v);
                case VSUSP -> a.setControlChar(ControlChar.VSUSP, v);
                case VDSUSP -> a.setControlChar(ControlChar.VDSUSP, v);
                case VREPRINT -> a.setControlChar(ControlChar.VREPRINT, v);
                case VWERASE -> a.setControlChar(ControlChar.VWERASE, v);
                case VLNEXT -> a.setControlChar(ControlChar.VLNEXT, v);
                case VSTATUS -> a.setControlChar(ControlChar.VSTATUS, v);
                case VDISCARD -> a.setControlChar(ControlChar.VDISCARD, v);
                case ECHO -> a.setLocalFlag(LocalFlag.ECHO, on);
                case ICANON -> a.setLocalFlag(LocalFlag.ICANON, on);
                case ISIG -> a.setLocalFlag(LocalFlag.ISIG, on);
                case ICRNL -> a.setInputFlag(InputFlag.ICRNL, on);
                case INLCR -> a.setInputFlag(InputFlag.INLCR, on);
                case IGNCR -> a.setInputFlag(InputFlag.IGNCR, on);
                case OCRNL -> a.setOutputFlag(OutputFlag.OCRNL, on);
                case ONLCR -> a.setOutputFlag(OutputFlag.ONLCR, on);
                case ONLRET -> a.setOutputFlag(OutputFlag.ONLRET, on);
                case OPOST -> a.setOutputFlag(OutputFlag.OPOST, on);
                default -> { /* the rest has no effect on a JLine terminal */ }
            }
        }
        return a;
    }

    /**
     * Runs a relayed session over the terminal: raw mode (no echo, no line editing, no signals, no output
     * translation, so every byte reaches the box and comes back as the box's terminal sent it), with the terminal's
     * input handed over through a {@link PollingInput} that is stopped afterwards.
     */
    static int relayRaw(Terminal t, Function<InputStream, Callable<Integer>> body) throws Exception {
        Attributes saved = t.enterRawMode();
        Attributes raw = new Attributes(t.getAttributes());
        raw.setLocalFlag(LocalFlag.ISIG, false);
        raw.setOutputFlag(OutputFlag.OPOST, false);
        t.setAttributes(raw);
        t.flush();
        PollingInput in = new PollingInput(org.jline.utils.NonBlocking.nonBlocking("boxd-relay", t.input()));
        try {
            return body.apply(in).call();
        } finally {
            in.stop();
            t.setAttributes(saved);
            t.flush();
        }
    }
}
