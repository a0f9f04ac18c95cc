package boxd.ssh.relay;

import org.apache.sshd.common.channel.PtyMode;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The terminal of the user's SSH session, when they asked for one ({@code ssh -t}, or an interactive login): type,
 * size and modes to mirror on the box's side, and where size changes come from.
 *
 * @param changes subscribe with a (columns, lines) callback; close the handle to stop
 */
public record Tty(String term, int columns, int lines, Map<PtyMode, Integer> modes, WindowChanges changes) {

    /** Where window-size changes of the user's terminal are announced. */
    @FunctionalInterface
    public interface WindowChanges {
        WindowChanges NONE = listener -> () -> { };

        AutoCloseable subscribe(BiConsumer<Integer, Integer> columnsAndLines);
    }

    public Tty {
        if (term == null || term.isBlank()) term = "xterm-256color";
        if (columns <= 0) columns = 80;
        if (lines <= 0) lines = 24;
        modes = modes == null ? Map.of() : Map.copyOf(modes);
        if (changes == null) changes = WindowChanges.NONE;
    }

    /** A terminal with default size and modes, for {@code exec --tty} when the user's session has none. */
    public static Tty defaults() {
        return new Tty("xterm-256color", 80, 24, Map.of(), WindowChanges.NONE);
    }
}
