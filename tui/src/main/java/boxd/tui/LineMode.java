package boxd.tui;

import boxd.tui.impl.LineModeImpl;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Objects;

/**
 * The plain line mode for sessions without a PTY ({@code ssh -T HOST}, or {@code ssh HOST < script}): reads lines
 * (UTF-8) from the input, splits each like a shell ({@link ShellWords}: quotes, backslashes, {@code #} comments; a
 * quote left open continues on the next line), and runs it through the {@link VerbRunner}. No banner, no colour,
 * no line editing. A prompt is printed only when asked ({@link Builder#prompt(boolean)}: the caller knows whether a
 * person types). {@code exit}/{@code quit} or the end of input stop it. Verbs get an empty stdin, since the input
 * carries the next commands. Lines over {@link #MAX_LINE_CHARS} are refused.
 */
public interface LineMode {

    /** Longest accepted command line, in characters (a longer one is skipped with an error, status 2). */
    int MAX_LINE_CHARS = 1 << 20;

    /** @return the exit status of the last verb (2 for a line that could not be split), 0 if none ran */
    int run();

    static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link LineMode}; {@link #input}, {@link #output} and {@link #runner} are required. */
    final class Builder {
        private InputStream in;
        private PrintStream out;
        private PrintStream err;
        private VerbRunner runner;
        private boolean prompt;

        private Builder() {}

        public Builder input(InputStream in) { this.in = in; return this; }

        public Builder output(PrintStream out) { this.out = out; return this; }

        /** Where errors go; defaults to the output. */
        public Builder error(PrintStream err) { this.err = err; return this; }

        public Builder runner(VerbRunner runner) { this.runner = runner; return this; }

        /** Print {@value Prompt#PROMPT} before each line (off by default). */
        public Builder prompt(boolean prompt) { this.prompt = prompt; return this; }

        public LineMode build() {
            Objects.requireNonNull(out, "output");
            return new LineModeImpl(Objects.requireNonNull(in, "input"), out, err == null ? out : err,
                    Objects.requireNonNull(runner, "runner"), prompt);
        }
    }
}
