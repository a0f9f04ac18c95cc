package boxd.tui.impl;

import boxd.common.BoxdException;
import boxd.tui.LineMode;
import boxd.tui.Prompt;
import boxd.tui.ShellWords;
import boxd.tui.VerbRunner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Implementation of {@link LineMode}. */
public final class LineModeImpl implements LineMode {

    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private final VerbRunner runner;
    private final boolean prompt;

    public LineModeImpl(InputStream in, PrintStream out, PrintStream err, VerbRunner runner, boolean prompt) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
        this.runner = runner;
        this.prompt = prompt;
    }

    @Override
    public int run() {
        int last = 0;
        StringBuilder pending = new StringBuilder();
        try {
            while (true) {
                if (prompt) {
                    out.print(pending.isEmpty() ? Prompt.PROMPT : "> ");
                    out.flush();
                }
                String line = readLine();
                if (line == null) {
                    if (!pending.isEmpty()) {
                        err.println("error: " + syntaxError(pending.toString()));
                        err.flush();
                        last = 2;
                    }
                    break;
                }
                if (line == TOO_LONG) {           // identity: the marker instance
                    pending.setLength(0);
                    err.println("error: command line longer than " + MAX_LINE_CHARS + " characters; skipped");
                    err.flush();
                    last = 2;
                    continue;
                }
                if (!pending.isEmpty()) pending.append('\n');
                pending.append(line);
                if (pending.length() > MAX_LINE_CHARS) {
                    pending.setLength(0);
                    err.println("error: command line longer than " + MAX_LINE_CHARS + " characters; skipped");
                    err.flush();
                    last = 2;
                    continue;
                }
                List<String> argv;
                try {
                    argv = ShellWords.split(pending.toString());
                } catch (ShellWords.SyntaxError e) {
                    continue;                           // an open quote or a trailing backslash: read on
                }
                pending.setLength(0);
                if (argv.isEmpty()) continue;
                if (argv.size() == 1 && (argv.get(0).equals("exit") || argv.get(0).equals("quit"))) break;
                last = runVerb(argv);
            }
        } catch (IOException e) {
            err.println("error: reading commands failed: " + e.getMessage());
            last = last == 0 ? 1 : last;
        }
        out.flush();
        err.flush();
        return last;
    }

    private static String syntaxError(String text) {
        try {
            ShellWords.split(text);
            return "incomplete command line";
        } catch (ShellWords.SyntaxError e) {
            return e.getMessage();
        }
    }

    private int runVerb(List<String> argv) {
        try {
            return runner.run(List.copyOf(argv), Streams.EMPTY, Streams.print(out), Streams.print(err));
        } catch (BoxdException e) {
            err.println("error: " + e.getMessage());
            if (!e.hint().isEmpty()) err.println("  hint: " + e.hint());
            return 1;
        } catch (RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static final String TOO_LONG = new String("\0too long\0");

    /** {@return the next line without its terminator, {@link #TOO_LONG} (same instance) for an over-long one, null at end} */
    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        boolean tooLong = false;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (tooLong) continue;
            sb.append((char) c);
            if (sb.length() > MAX_LINE_CHARS) {
                tooLong = true;
                sb.setLength(0);
            }
        }
        if (c < 0 && sb.isEmpty() && !tooLong) return null;
        if (tooLong) return TOO_LONG;
        int n = sb.length();
        if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
        return sb.toString();
    }
}
