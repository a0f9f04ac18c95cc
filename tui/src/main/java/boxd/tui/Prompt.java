package boxd.tui;

import boxd.tui.impl.PromptImpl;
import org.jline.terminal.Terminal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The interactive {@code boxd>} prompt over any JLine {@link Terminal} (the SSH frontend builds one from the channel:
 * PTY modes, TERM, size, WINCH). Shows a banner, reads lines with completion of verbs, flags and the user's box names,
 * keeps a per-user history file, colours the prompt only when the terminal supports colour, and hands each line,
 * split like a shell, to the {@link VerbRunner} ({@code help} included). {@code exit}, {@code quit} and Ctrl-D on an
 * empty line leave; Ctrl-C cancels the line being typed, or interrupts the verb that runs.
 * <pre>{@code
 * int status = Prompt.builder().terminal(t).runner(verbs).completion(source).historyFile(path).build().run();
 * }</pre>
 * Run it on a platform thread: JLine's readers wait in monitors, which pin a virtual thread's carrier on JDK 21.
 * Build the terminal with {@link Terminals#open} (Java line discipline, so Ctrl-C raises INT).
 */
public interface Prompt {

    /** Widget that shows {@code help VERB} for the verb on the line, above the prompt. Bound to F1 and Alt-h. */
    String WIDGET_HELP = "boxd-help";
    /** Widget that lists the user's boxes above the prompt, keeping the line. Bound to Alt-b. */
    String WIDGET_LIST_BOXES = "boxd-list-boxes";

    /** The prompt text (without colour). */
    String PROMPT = "boxd> ";

    /**
     * Runs the prompt until {@code exit}, {@code quit}, Ctrl-D or the end of input. Saves the history. Does not close
     * the terminal.
     *
     * @return the exit status of the last verb run, 0 if none
     */
    int run();

    /** {@return a builder} */
    static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Prompt}. {@link #terminal} and {@link #runner} are required. */
    final class Builder {
        private Terminal terminal;
        private VerbRunner runner;
        private CompletionSource completion;
        private Path historyFile;
        private String banner;
        private int historySize = 1000;

        private Builder() {}

        public Builder terminal(Terminal terminal) { this.terminal = terminal; return this; }

        public Builder runner(VerbRunner runner) { this.runner = runner; return this; }

        /** What Tab completes; without it only {@code exit}/{@code quit}/{@code help} complete. */
        public Builder completion(CompletionSource completion) { this.completion = completion; return this; }

        /** The user's history file (created with its parent directories); without it history lasts the session. */
        public Builder historyFile(Path historyFile) { this.historyFile = historyFile; return this; }

        /** Lines kept in the history file (default 1000). */
        public Builder historySize(int lines) { this.historySize = lines; return this; }

        /** Text shown before the first prompt; null for the default banner, "" for none. */
        public Builder banner(String banner) { this.banner = banner; return this; }

        public Prompt build() {
            return new PromptImpl(Objects.requireNonNull(terminal, "terminal"), Objects.requireNonNull(runner, "runner"),
                    completion, historyFile, historySize, banner);
        }
    }
}
