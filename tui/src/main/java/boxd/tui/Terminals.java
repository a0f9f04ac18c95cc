package boxd.tui;

import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.ControlFlag;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.jline.utils.InfoCmp.Capability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Helpers for the JLine terminals boxd builds over SSH channels. */
public final class Terminals {

    private Terminals() {}

    /** Terminal types whose capabilities ship inside JLine (others would make JLine run {@code infocmp}). */
    public static final Set<String> BUNDLED_TYPES = Set.of("ansi", "dumb", "dumb-color", "rxvt", "rxvt-basic",
            "rxvt-unicode", "rxvt-unicode-256color", "screen", "screen-256color", "windows", "windows-256color",
            "windows-conemu", "windows-vtp", "xterm", "xterm-256color");

    /**
     * {@return the client's TERM mapped to a type JLine knows without asking the server's terminfo} Unset or
     * {@code emacs} becomes {@code dumb}; {@code tmux*}/{@code screen*} become {@code screen-256color};
     * {@code linux}/{@code vt*} become {@code ansi}; everything else unknown ({@code xterm-kitty}, {@code alacritty},
     * {@code foot}, ...) becomes {@code xterm-256color}.
     */
    public static String normalizeType(String term) {
        if (term == null || term.isBlank()) return "dumb";
        String t = term.strip().toLowerCase(Locale.ROOT);
        if (BUNDLED_TYPES.contains(t)) return t;
        if (t.startsWith("dumb") || t.startsWith("emacs")) return "dumb";
        if (t.startsWith("screen") || t.startsWith("tmux")) return "screen-256color";
        if (t.equals("linux") || t.startsWith("vt") || t.startsWith("ansi")) return "ansi";
        return "xterm-256color";
    }

    /** {@return whether {@code terminal} shows colours: not dumb, and at least 8 colours in its capabilities} */
    public static boolean supportsColor(Terminal terminal) {
        String type = terminal.getType();
        if (type == null || type.startsWith(Terminal.TYPE_DUMB)) return false;
        Integer colors = terminal.getNumericCapability(Capability.max_colors);
        return colors != null && colors >= 8;
    }

    /** {@return whether {@code terminal} can address the cursor (what the full-screen dashboard needs)} */
    public static boolean isFullScreenCapable(Terminal terminal) {
        String type = terminal.getType();
        return type != null && !type.startsWith(Terminal.TYPE_DUMB)
                && terminal.getStringCapability(Capability.cursor_address) != null
                && terminal.getWidth() > 0 && terminal.getHeight() > 0;
    }

    /**
     * {@return the attributes of a freshly opened Unix tty in cooked mode} (what {@code stty sane} gives): signals
     * (Ctrl-C raises INT), echo, CR to NL on input, NL to CR NL on output, and the usual control characters. The SSH
     * frontend starts from these and overlays the client's PTY modes.
     */
    public static Attributes defaultAttributes() {
        Attributes a = new Attributes();
        a.setLocalFlags(EnumSet.of(LocalFlag.ISIG, LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.ECHOE, LocalFlag.ECHOK,
                LocalFlag.IEXTEN, LocalFlag.ECHOCTL, LocalFlag.ECHOKE), true);
        a.setInputFlags(EnumSet.of(InputFlag.ICRNL, InputFlag.IXON, InputFlag.IUTF8), true);
        a.setOutputFlags(EnumSet.of(OutputFlag.OPOST, OutputFlag.ONLCR), true);
        a.setControlFlags(EnumSet.of(ControlFlag.CREAD, ControlFlag.CS8), true);
        a.setControlChar(ControlChar.VINTR, 3);
        a.setControlChar(ControlChar.VQUIT, 28);
        a.setControlChar(ControlChar.VERASE, 127);
        a.setControlChar(ControlChar.VKILL, 21);
        a.setControlChar(ControlChar.VEOF, 4);
        a.setControlChar(ControlChar.VSTART, 17);
        a.setControlChar(ControlChar.VSTOP, 19);
        a.setControlChar(ControlChar.VSUSP, 26);
        a.setControlChar(ControlChar.VREPRINT, 18);
        a.setControlChar(ControlChar.VWERASE, 23);
        a.setControlChar(ControlChar.VLNEXT, 22);
        a.setControlChar(ControlChar.VMIN, 1);
        a.setControlChar(ControlChar.VTIME, 0);
        return a;
    }

    /**
     * Puts {@code terminal} in the mode for relaying a remote terminal ({@code connect}, {@code exec --tty}): raw,
     * no echo, no signals (Ctrl-C travels to the box as a byte instead of interrupting the verb), no output
     * processing (the box's PTY already wrote CR LF), no flow control. Restore with
     * {@code terminal.setAttributes(previous)}.
     *
     * @return the attributes before, to restore
     */
    public static Attributes enterRelayMode(Terminal terminal) {
        Attributes previous = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlags(EnumSet.of(LocalFlag.ISIG, LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.IEXTEN), false);
        raw.setInputFlags(EnumSet.of(InputFlag.ICRNL, InputFlag.INLCR, InputFlag.IGNCR, InputFlag.IXON), false);
        raw.setOutputFlag(OutputFlag.OPOST, false);
        raw.setControlChar(ControlChar.VMIN, 1);
        raw.setControlChar(ControlChar.VTIME, 0);
        terminal.setAttributes(raw);
        terminal.flush();
        return previous;
    }

    /**
     * {@return {@link #defaultAttributes()} overlaid with the client's PTY modes} Keys are the RFC 4254 mode names,
     * as MINA's {@code PtyMode.name()} spells them ({@code VINTR}, {@code ECHO}, {@code ICRNL}, {@code ONLCR}, ...);
     * control characters take the value, flags are on when the value is non-zero. Unknown names are ignored.
     */
    public static Attributes attributesFromPtyModes(java.util.Map<String, Integer> modes) {
        Attributes a = defaultAttributes();
        modes.forEach((name, value) -> {
            if (name == null || value == null) return;
            boolean on = value != 0;
            switch (name) {
                case "VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VEOL", "VEOL2", "VSTART", "VSTOP", "VSUSP",
                     "VDSUSP", "VREPRINT", "VWERASE", "VLNEXT", "VSTATUS", "VDISCARD" ->
                        a.setControlChar(ControlChar.valueOf(name), value);
                case "ECHO", "ICANON", "ISIG", "IEXTEN", "ECHOE", "ECHOK", "ECHONL", "NOFLSH", "TOSTOP", "ECHOCTL",
                     "ECHOKE", "PENDIN" -> a.setLocalFlag(LocalFlag.valueOf(name), on);
                case "ICRNL", "INLCR", "IGNCR", "IXON", "IXANY", "IXOFF", "IMAXBEL", "IUTF8", "INPCK", "ISTRIP",
                     "IGNPAR", "PARMRK" -> a.setInputFlag(InputFlag.valueOf(name), on);
                case "OPOST", "ONLCR", "OCRNL", "ONOCR", "ONLRET" -> a.setOutputFlag(OutputFlag.valueOf(name), on);
                default -> { }
            }
        });
        return a;
    }

    /**
     * Builds a terminal over an SSH channel's streams (what the SSH frontend does for a shell with a PTY): a JLine
     * {@link ExternalTerminal} (line discipline in Java: Ctrl-C raises INT, CR/NL mapping, echo), TERM
     * {@linkplain #normalizeType normalized}, UTF-8, the client's size and (when given) the attributes made from its
     * PTY modes. Resize it later with {@code setSize} then {@code raise(Signal.WINCH)}. Use this rather than
     * {@code TerminalBuilder.streams(..)}, which may allocate a real PTY on the server (then Ctrl-C never reaches
     * JLine). Closing the terminal does not close {@code in}/{@code out}' underlying channel on its own.
     *
     * @param attributes the attributes from the client's PTY modes, or null for {@link #defaultAttributes()}
     */
    public static Terminal open(InputStream in, OutputStream out, String term, int columns, int rows,
                                Attributes attributes) {
        try {
            // ExternalTerminal directly: TerminalBuilder.streams(..) may open a real PTY on the server when native
            // access works (PosixPtyTerminal), whose kernel line discipline then eats Ctrl-C instead of raising INT.
            return new ExternalTerminal(null, "boxd", normalizeType(term), in, out, StandardCharsets.UTF_8,
                    Terminal.SignalHandler.SIG_DFL, false,
                    attributes != null ? attributes : defaultAttributes(),
                    new Size(Math.max(columns, 1), Math.max(rows, 1)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a terminal over the session: " + e.getMessage(), e);
        }
    }
}
