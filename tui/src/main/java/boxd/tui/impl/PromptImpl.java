package boxd.tui.impl;

import boxd.common.BoxdException;
import boxd.tui.CompletionSource;
import boxd.tui.Prompt;
import boxd.tui.ShellWords;
import boxd.tui.Terminals;
import boxd.tui.VerbRunner;
import org.jline.keymap.KeyMap;
import org.jline.reader.Binding;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.AggregateCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JLine implementation of {@link Prompt}. One instance serves one session; {@link #run()} runs once at a time. */
public final class PromptImpl implements Prompt {

    /** Shown when the caller gives no banner. */
    public static final String DEFAULT_BANNER_TITLE = "boxd: your computers in the cloud, over ssh";
    public static final String DEFAULT_BANNER_TEXT =
            "Type 'help' for the verbs, Tab to complete, F1 for help on a verb, 'exit' or Ctrl-D to leave.";

    private final Terminal terminal;
    private final VerbRunner runner;
    private final CompletionSource completion;
    private final Path historyFile;
    private final int historySize;
    private final String banner;
    private final boolean color;
    private LineReader reader;

    public PromptImpl(Terminal terminal, VerbRunner runner, CompletionSource completion, Path historyFile,
                      int historySize, String banner) {
        this.terminal = terminal;
        this.runner = runner;
        this.completion = completion;
        this.historyFile = historyFile;
        this.historySize = historySize;
        this.banner = banner;
        this.color = Terminals.supportsColor(terminal);
    }

    @Override
    public int run() {
        reader = buildReader();
        registerWidgets(reader);
        printBanner();
        String prompt = promptText();
        int last = 0;
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt);
                } catch (UserInterruptException e) {
                    continue;                       // Ctrl-C: the line is dropped, a fresh prompt follows
                } catch (EndOfFileException e) {
                    break;                          // Ctrl-D on an empty line, or the channel closed
                }
                List<String> argv;
                try {
                    argv = ShellWords.split(line);
                } catch (ShellWords.SyntaxError e) {
                    error(e.getMessage(), "close the quote, or escape it with a backslash");
                    last = 2;
                    continue;
                }
                if (argv.isEmpty()) continue;
                if (argv.size() == 1 && (argv.get(0).equals("exit") || argv.get(0).equals("quit"))) break;
                last = runVerb(argv);
            }
        } finally {
            saveHistory();
            terminal.flush();
        }
        return last;
    }

    private LineReader buildReader() {
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[]{'\\'});
        parser.setEofOnUnclosedQuote(true);          // an open quote asks for the next line, as in a shell
        parser.setEofOnEscapedNewLine(true);
        LineReaderBuilder b = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("boxd")
                .parser(parser)
                .completer(completer())
                .history(new VerbHistory())
                .variable(LineReader.HISTORY_SIZE, historySize)
                .variable(LineReader.HISTORY_FILE_SIZE, historySize)
                .variable(LineReader.BELL_STYLE, "none")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, true)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .option(LineReader.Option.AUTO_FRESH_LINE, true);
        if (historyFile != null) {
            try {
                Path parent = historyFile.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                b.variable(LineReader.HISTORY_FILE, historyFile);
            } catch (IOException e) {
                // no history file: the prompt still works, history lasts the session
            }
        }
        return b.build();
    }

    private Completer completer() {
        if (completion == null) return new StringsCompleter("help", "exit", "quit");
        return new AggregateCompleter(new VerbCompleter(completion),
                new BoxNameCompleter(completion::boxNames, completion::takesBoxName));
    }

    private void registerWidgets(LineReader r) {
        r.getWidgets().put(WIDGET_HELP, this::helpWidget);
        r.getWidgets().put(WIDGET_LIST_BOXES, this::listBoxesWidget);
        for (String map : List.of(LineReader.EMACS, LineReader.VIINS)) {
            KeyMap<Binding> keys = r.getKeyMaps().get(map);
            if (keys == null) continue;
            // Arrows in both the normal (CSI) and the keypad (SS3) form, whatever the client's keypad mode.
            keys.bind(new Reference(LineReader.UP_LINE_OR_HISTORY), "\033[A", "\033OA");
            keys.bind(new Reference(LineReader.DOWN_LINE_OR_HISTORY), "\033[B", "\033OB");
            keys.bind(new Reference(LineReader.FORWARD_CHAR), "\033[C", "\033OC");
            keys.bind(new Reference(LineReader.BACKWARD_CHAR), "\033[D", "\033OD");
            keys.bind(new Reference(WIDGET_HELP), KeyMap.alt('h'));
            keys.bind(new Reference(WIDGET_LIST_BOXES), KeyMap.alt('b'));
            String f1 = KeyMap.key(terminal, Capability.key_f1);
            if (f1 != null && !f1.isEmpty()) keys.bind(new Reference(WIDGET_HELP), f1);
        }
    }

    /** {@value Prompt#WIDGET_HELP}: runs {@code help VERB} for the line's first word and shows it above the line. */
    boolean helpWidget() {
        String buffer = reader.getBuffer().toString();
        List<String> argv = new ArrayList<>(List.of("help"));
        try {
            List<String> words = ShellWords.split(buffer);
            if (!words.isEmpty()) argv.add(words.get(0));
        } catch (ShellWords.SyntaxError e) {
            String first = buffer.strip().split("\\s+", 2)[0];
            if (!first.isEmpty()) argv.add(first);
        }
        reader.printAbove(capture(argv));
        return true;
    }

    /** {@value Prompt#WIDGET_LIST_BOXES}: runs {@code list} and shows it above the line. */
    boolean listBoxesWidget() {
        reader.printAbove(capture(List.of("list")));
        return true;
    }

    private String capture(List<String> argv) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try {
            runner.run(argv, Streams.EMPTY, ps, ps);
        } catch (RuntimeException e) {
            ps.println("error: " + e.getMessage());
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private int runVerb(List<String> argv) {
        terminal.writer().flush();
        PrintStream out = Streams.print(terminal.output());
        InputStream in = Streams.input(terminal.input());
        Thread self = Thread.currentThread();
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, s -> self.interrupt());
        try {
            return runner.run(List.copyOf(argv), in, out, out);
        } catch (BoxdException e) {
            out.flush();
            error(e.getMessage(), e.hint());
            return 1;
        } catch (RuntimeException e) {
            out.flush();
            error(String.valueOf(e.getMessage()), "");
            return 1;
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
            Thread.interrupted();               // a Ctrl-C that came as the verb ended must not hit the next line
            out.flush();
        }
    }

    private void error(String message, String hint) {
        AttributedStringBuilder sb = new AttributedStringBuilder();
        sb.styled(color ? AttributedStyle.BOLD.foreground(AttributedStyle.RED) : AttributedStyle.DEFAULT, "error:");
        sb.append(' ').append(message);
        if (hint != null && !hint.isEmpty()) sb.append("\n  hint: ").append(hint);
        sb.append('\n');
        terminal.writer().print(sb.toAnsi(terminal));
        terminal.writer().flush();
    }

    private void printBanner() {
        if (banner != null && banner.isEmpty()) return;
        AttributedStringBuilder sb = new AttributedStringBuilder();
        if (banner == null) {
            sb.styled(color ? AttributedStyle.BOLD.foreground(AttributedStyle.CYAN) : AttributedStyle.DEFAULT,
                    DEFAULT_BANNER_TITLE).append('\n').append(DEFAULT_BANNER_TEXT).append('\n');
        } else {
            sb.append(banner);
            if (!banner.endsWith("\n")) sb.append('\n');
        }
        terminal.writer().print(sb.toAnsi(terminal));
        terminal.writer().flush();
    }

    private String promptText() {
        if (!color) return PROMPT;
        return new AttributedStringBuilder()
                .styled(AttributedStyle.BOLD.foreground(AttributedStyle.CYAN), "boxd")
                .append("> ")
                .toAnsi(terminal);
    }

    /** History that leaves out the lines that end the session ({@code exit}, {@code quit}). */
    static final class VerbHistory extends DefaultHistory {
        @Override
        public void add(java.time.Instant time, String line) {
            String s = line.strip();
            if (s.equals("exit") || s.equals("quit")) return;
            super.add(time, line);
        }
    }

    private void saveHistory() {
        try {
            if (reader != null) reader.getHistory().save();
        } catch (IOException | RuntimeException e) {
            // the history file is a convenience; a read-only data dir must not end the session with an error
        }
    }
}
