package boxd.tui.impl;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.Names;
import boxd.common.ObservedState;
import boxd.tui.Dashboard;
import boxd.tui.Terminals;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Implementation of {@link Dashboard}, shaped like JLine's {@code TTop}: raw mode, alternate screen, a
 * {@link Display} that rewrites only changed rows, a {@link BindingReader} polled with a short timeout so that
 * refreshes, resizes and background results are shown without a key press.
 */
public final class DashboardImpl implements Dashboard {

    /** How long the loop waits for a key before looking at the clock, resize and background results. */
    static final long POLL_MILLIS = 100;
    /** Longest box name accepted at the "new" question (a DNS label). */
    static final int MAX_NAME = 63;

    /** What a key does in the normal mode. */
    enum Op { UP, DOWN, FIRST, LAST, NEW, CONNECT, REBOOT, DESTROY, QUIT, REDRAW, NONE }

    private enum Mode { NORMAL, ASK_NAME, CONFIRM_DESTROY }

    private final Terminal terminal;
    private final Supplier<List<Box>> source;
    private final Actions actions;
    private final Function<Runnable, AutoCloseable> watch;
    private final long refreshMillis;
    private final LongSupplier clock;
    private final String title;
    private final Function<Box, Duration> uptime;
    private final boolean color;

    private List<Box> boxes = List.of();
    private String selectedName;
    /** A box being created: selected as soon as it shows up in the list. */
    private volatile String follow;
    private int selected;
    private Mode mode = Mode.NORMAL;
    private final StringBuilder typed = new StringBuilder();
    private Box pendingDestroy;
    private volatile String message = "";
    private volatile boolean refreshWanted = true;
    private volatile boolean resized;

    private Display display;
    private Size size;
    private Attributes saved;
    private Terminal.SignalHandler previousWinch;

    public DashboardImpl(Terminal terminal, Supplier<List<Box>> boxes, Actions actions,
                         Function<Runnable, AutoCloseable> watch, Duration refresh, LongSupplier clock, String title,
                         Function<Box, Duration> uptime) {
        this.terminal = terminal;
        this.source = boxes;
        this.actions = actions;
        this.watch = watch;
        this.refreshMillis = Math.max(refresh.toMillis(), 50);
        this.clock = clock;
        this.title = title;
        this.uptime = uptime != null ? uptime : this::defaultUptime;
        this.color = Terminals.supportsColor(terminal);
    }

    private Duration defaultUptime(Box b) {
        if (b.observed() != ObservedState.RUNNING) return null;
        return Duration.ofMillis(Math.max(0, clock.getAsLong() - b.updatedAtMillis()));
    }

    @Override
    public int run() {
        if (!Terminals.isFullScreenCapable(terminal)) {
            terminal.writer().println("error: dash needs a full-screen terminal\n"
                    + "  hint: run it at the boxd> prompt, or with a PTY: ssh -t HOST dash");
            terminal.writer().flush();
            return 1;
        }
        AutoCloseable subscription = null;
        if (watch != null) {
            try {
                subscription = watch.apply(() -> refreshWanted = true);
            } catch (RuntimeException e) {
                message = "live updates unavailable: " + e.getMessage();
            }
        }
        BindingReader bindings = new BindingReader(terminal.reader());
        KeyMap<Op> keys = keyMap();
        enter();
        try {
            long nextRefresh = 0;
            while (true) {
                long now = clock.getAsLong();
                if (refreshWanted || System.nanoTime() / 1_000_000 >= nextRefresh) {
                    refreshWanted = false;
                    reload();
                    nextRefresh = System.nanoTime() / 1_000_000 + refreshMillis;
                }
                if (resized) {
                    resized = false;
                    resize(true);
                }
                draw(now);
                int c = bindings.peekCharacter(POLL_MILLIS);
                if (c == NonBlockingReader.EOF) break;
                if (c == NonBlockingReader.READ_EXPIRED) continue;
                boolean go = switch (mode) {
                    case NORMAL -> onKey(bindings.readBinding(keys, null, true));
                    case ASK_NAME -> { onNameChar(bindings); yield true; }
                    case CONFIRM_DESTROY -> { onConfirm(bindings.readCharacter()); yield true; }
                };
                if (!go) break;
            }
        } finally {
            leave();
            if (subscription != null) {
                try {
                    subscription.close();
                } catch (Exception ignored) {
                    // closing a watch handle cannot fail in a way the user can act on
                }
            }
        }
        return 0;
    }

    private KeyMap<Op> keyMap() {
        KeyMap<Op> k = new KeyMap<>();
        k.bind(Op.UP, "k", "\033[A", "\033OA");
        k.bind(Op.DOWN, "j", "\033[B", "\033OB");
        k.bind(Op.FIRST, "g", "\033[H", "\033OH");
        k.bind(Op.LAST, "G", "\033[F", "\033OF");
        bindCap(k, Op.UP, Capability.key_up);
        bindCap(k, Op.DOWN, Capability.key_down);
        bindCap(k, Op.FIRST, Capability.key_home);
        bindCap(k, Op.LAST, Capability.key_end);
        k.bind(Op.NEW, "n");
        k.bind(Op.CONNECT, "c", "\r", "\n");
        k.bind(Op.REBOOT, "r");
        k.bind(Op.DESTROY, "d");
        k.bind(Op.QUIT, "q", "Q", KeyMap.ctrl('C'), KeyMap.ctrl('D'));
        k.bind(Op.REDRAW, KeyMap.ctrl('L'));
        k.setNomatch(Op.NONE);
        k.setUnicode(Op.NONE);
        k.setAmbiguousTimeout(100);
        return k;
    }

    private void bindCap(KeyMap<Op> k, Op op, Capability cap) {
        String seq = KeyMap.key(terminal, cap);
        if (seq != null && !seq.isEmpty()) k.bind(op, seq);
    }

    /** {@return false to quit} */
    private boolean onKey(Op op) {
        if (op == null) return true;
        switch (op) {
            case UP -> move(-1);
            case DOWN -> move(1);
            case FIRST -> move(-boxes.size());
            case LAST -> move(boxes.size());
            case NEW -> {
                mode = Mode.ASK_NAME;
                typed.setLength(0);
            }
            case CONNECT -> current().ifPresent(this::connect);
            case REBOOT -> current().ifPresent(b -> background("rebooting " + b.name(), "reboot of " + b.name()
                    + " requested", () -> actions.reboot(b)));
            case DESTROY -> current().ifPresent(b -> {
                pendingDestroy = b;
                mode = Mode.CONFIRM_DESTROY;
            });
            case QUIT -> {
                return false;
            }
            case REDRAW -> resize(true);
            case NONE -> { }
        }
        return true;
    }

    private void onNameChar(BindingReader bindings) {
        int c = bindings.readCharacter();
        switch (c) {
            case '\r', '\n' -> {
                mode = Mode.NORMAL;
                String name = typed.toString();
                if (name.isEmpty()) {
                    message = "cancelled";
                } else if (!Names.isValidLabel(name)) {
                    message = "invalid name '" + name + "': use 1-63 lower-case letters, digits and '-', "
                            + "starting and ending with a letter or digit";
                } else {
                    follow = name;
                    background("creating " + name + "...", "created " + name, () -> actions.create(name));
                }
            }
            case 127, 8 -> {
                if (!typed.isEmpty()) typed.setLength(typed.length() - 1);
            }
            case 21 -> typed.setLength(0);                            // Ctrl-U
            case 3, 27, NonBlockingReader.EOF -> {                    // Ctrl-C, Esc: cancel
                if (c == 27) drainEscape(bindings);
                mode = Mode.NORMAL;
                message = "cancelled";
            }
            default -> {
                if (c >= 0x20 && c != 0x7f && typed.length() < MAX_NAME) typed.appendCodePoint(c);
            }
        }
    }

    /** Swallows the rest of an escape sequence (an arrow key pressed while typing a name). */
    private static void drainEscape(BindingReader bindings) {
        while (bindings.peekCharacter(20) >= 0) bindings.readCharacter();
    }

    private void onConfirm(int c) {
        Box b = pendingDestroy;
        pendingDestroy = null;
        mode = Mode.NORMAL;
        if (b != null && (c == 'y' || c == 'Y')) {
            background("destroying " + b.name() + "...", "destroyed " + b.name(), () -> actions.destroy(b));
        } else {
            message = "not destroyed";
        }
    }

    private void background(String start, String done, Runnable action) {
        message = start;
        Thread.ofPlatform().daemon().name("boxd-dash-action").start(() -> {
            try {
                action.run();
                message = done;
            } catch (BoxdException e) {
                message = "error: " + e.getMessage() + (e.hint().isEmpty() ? "" : " (" + e.hint() + ")");
            } catch (RuntimeException e) {
                message = "error: " + e.getMessage();
            }
            refreshWanted = true;
        });
    }

    private void connect(Box b) {
        suspend();
        try {
            actions.connect(b);
            message = "back from " + b.name();
        } catch (BoxdException e) {
            message = "error: " + e.getMessage() + (e.hint().isEmpty() ? "" : " (" + e.hint() + ")");
        } catch (RuntimeException e) {
            message = "error: " + e.getMessage();
        } finally {
            enter();
            refreshWanted = true;
        }
    }

    private java.util.Optional<Box> current() {
        if (boxes.isEmpty()) {
            message = "no box selected: press n to create one";
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(boxes.get(selected));
    }

    private void move(int delta) {
        if (boxes.isEmpty()) return;
        selected = Math.clamp((long) selected + delta, 0, boxes.size() - 1);
        selectedName = boxes.get(selected).name();
    }

    private void reload() {
        List<Box> fresh;
        try {
            fresh = source.get();
        } catch (RuntimeException e) {
            message = "cannot read your boxes: " + e.getMessage();
            return;
        }
        List<Box> sorted = new ArrayList<>(fresh == null ? List.of() : fresh);
        sorted.sort(Comparator.comparing(Box::name));
        boxes = List.copyOf(sorted);
        String wanted = follow;
        int at = -1;
        for (int i = 0; i < boxes.size() && wanted != null; i++)
            if (boxes.get(i).name().equals(wanted)) at = i;
        if (at >= 0) follow = null;
        for (int i = 0; at < 0 && i < boxes.size() && selectedName != null; i++)
            if (boxes.get(i).name().equals(selectedName)) at = i;
        selected = at >= 0 ? at : Math.clamp(selected, 0, Math.max(0, boxes.size() - 1));
        if (!boxes.isEmpty()) selectedName = boxes.get(selected).name();
    }

    private void draw(long now) {
        String status = switch (mode) {
            case NORMAL -> message;
            case ASK_NAME -> "New box name: " + typed + "_   (Enter creates, Esc cancels)";
            case CONFIRM_DESTROY -> "Destroy " + (pendingDestroy == null ? "?" : pendingDestroy.name())
                    + "? Everything on it is lost. y/n";
        };
        DashboardView.State state = new DashboardView.State(title, boxes, selected, status, now, color);
        List<AttributedString> lines = DashboardView.render(state, size.getColumns(), size.getRows(), uptime);
        display.update(lines, size.cursorPos(size.getRows() - 1, 0));
        terminal.flush();
    }

    private void resize(boolean clear) {
        size = new Size(terminal.getWidth(), terminal.getHeight());
        if (clear) {
            display.clear();
            terminal.puts(Capability.clear_screen);
        }
        display.resize(size.getRows(), size.getColumns());
    }

    /** Raw mode, alternate screen, keypad, hidden cursor, our WINCH handler. */
    private void enter() {
        previousWinch = terminal.handle(Terminal.Signal.WINCH, s -> resized = true);
        saved = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);     // Ctrl-C and Ctrl-Z arrive as keys
        terminal.setAttributes(raw);
        terminal.puts(Capability.enter_ca_mode);
        terminal.puts(Capability.keypad_xmit);
        terminal.puts(Capability.cursor_invisible);
        terminal.puts(Capability.clear_screen);
        display = new Display(terminal, true);
        resize(false);
        terminal.flush();
    }

    /** Everything {@link #enter()} changed, put back. */
    private void leave() {
        terminal.setAttributes(saved);
        terminal.puts(Capability.cursor_normal);
        terminal.puts(Capability.keypad_local);
        terminal.puts(Capability.exit_ca_mode);
        terminal.flush();
        terminal.handle(Terminal.Signal.WINCH, previousWinch);
    }

    private void suspend() {
        leave();
    }
}
