package boxd.tui;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.ObservedState;
import boxd.tui.testing.VirtualTerminal;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static boxd.tui.testing.Boxes.box;
import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class DashboardTest {

    static final long NOW = 1_765_000_000_000L;

    private final List<Box> boxes = new CopyOnWriteArrayList<>(List.of(
            box("web", ObservedState.RUNNING, "10.77.0.2", NOW, 120),
            box("db", ObservedState.STARTING, "10.77.0.3", NOW, 0),
            box("cache", ObservedState.RUNNING, "10.77.0.4", NOW, 7200)));
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<VirtualTerminal> terminals = new ArrayList<>();
    private volatile RuntimeException failCreate;

    private final Dashboard.Actions actions = new Dashboard.Actions() {
        @Override public void create(String name) {
            calls.add("create " + name);
            if (failCreate != null) throw failCreate;
            boxes.add(box(name, ObservedState.PENDING, null, NOW, 0));
        }
        @Override public void connect(Box box) { calls.add("connect " + box.name()); }
        @Override public void reboot(Box box) { calls.add("reboot " + box.name()); }
        @Override public void destroy(Box box) {
            calls.add("destroy " + box.name());
            boxes.removeIf(b -> b.name().equals(box.name()));
        }
    };

    @AfterEach
    void close() throws Exception {
        for (VirtualTerminal t : terminals) t.close();
    }

    private VirtualTerminal terminal(String type, int cols, int rows) {
        VirtualTerminal t = new VirtualTerminal(type, cols, rows);
        terminals.add(t);
        return t;
    }

    private CompletableFuture<Integer> start(VirtualTerminal t, Dashboard.Builder b) {
        Dashboard d = b.terminal(t.terminal()).build();
        return CompletableFuture.supplyAsync(d::run, r -> Thread.ofPlatform().daemon().start(r));
    }

    private Dashboard.Builder dash() {
        return Dashboard.builder().boxes(() -> List.copyOf(boxes)).actions(actions).title("alice")
                .clock(() -> NOW).refresh(Duration.ofMillis(200));
    }

    /** {@return the screen row that carries the selection mark} */
    private static String selectedRow(String screen) {
        return Arrays.stream(screen.split("\n")).filter(l -> l.startsWith("> ")).findFirst().orElse("");
    }

    /** Waits for the first full frame (the key line is drawn last). */
    private static void awaitDrawn(VirtualTerminal t) {
        t.awaitScreen(s -> s.contains("web") && s.contains("q quit"), Duration.ofSeconds(10));
    }

    private void awaitCalls(String... expected) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!calls.equals(List.of(expected))) {
            if (System.nanoTime() > end) fail("calls were " + calls + ", expected " + List.of(expected));
            Thread.sleep(10);
        }
    }

    @Test
    void showsTheBoxesWithStatusIpUptimeAndSizeSortedByName() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        String screen = t.awaitScreen(s -> s.contains("web    running") && s.contains("q quit"), Duration.ofSeconds(10));
        assertTrue(screen.contains("boxd dash - alice"), screen);
        assertTrue(screen.contains("NAME"), screen);
        assertTrue(screen.contains("STATUS") && screen.contains("UPTIME") && screen.contains("DISK"), screen);
        assertTrue(screen.contains("web    running   10.77.0.2  2m"), screen);
        assertTrue(screen.contains("db     starting  10.77.0.3  -"), screen);
        assertTrue(screen.contains("cache  running   10.77.0.4  2h00m"), screen);
        assertTrue(selectedRow(screen).startsWith("> cache"), "first by name is selected: " + screen);
        assertTrue(screen.contains("q quit"), screen);
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
    }

    @Test
    void arrowsAndJkMoveTheSelection() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        t.awaitScreen(s -> selectedRow(s).startsWith("> cache"), Duration.ofSeconds(10));
        t.type("j");
        t.awaitScreen(s -> selectedRow(s).startsWith("> db"), Duration.ofSeconds(10));
        t.type("\033OB");                           // Down in keypad mode
        t.awaitScreen(s -> selectedRow(s).startsWith("> web"), Duration.ofSeconds(10));
        t.type("j");                                // stays on the last row
        t.type("\033[A");                           // Up in normal mode
        t.awaitScreen(s -> selectedRow(s).startsWith("> db"), Duration.ofSeconds(10));
        t.type("k");
        t.awaitScreen(s -> selectedRow(s).startsWith("> cache"), Duration.ofSeconds(10));
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(), calls);
    }

    @Test
    void dThenYDestroysTheSelectedBoxAndDThenNKeepsIt() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        awaitDrawn(t);
        t.type("j");                                // db
        t.awaitScreen(s -> selectedRow(s).startsWith("> db"), Duration.ofSeconds(10));
        t.type("d");
        t.awaitScreen("Destroy db? Everything on it is lost. y/n");
        t.type("n");
        t.awaitScreen("not destroyed");
        assertEquals(List.of(), calls);
        t.type("d");
        t.awaitScreen("Destroy db?");
        t.type("y");
        awaitCalls("destroy db");
        String screen = t.awaitScreen(s -> s.contains("destroyed db") && !s.contains("starting"),
                Duration.ofSeconds(10));
        assertFalse(screen.contains("10.77.0.3"), "db is gone from the list: " + screen);
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
    }

    @Test
    void nAsksForANameAndCreatesTheBox() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        awaitDrawn(t);
        t.type("n");
        t.awaitScreen("New box name: _");
        t.type("apx\177i");                         // a typo fixed with Backspace
        t.awaitScreen("New box name: api_");
        t.type("\r");
        awaitCalls("create api");
        t.awaitScreen(s -> s.contains("created api") && selectedRow(s).startsWith("> api") && s.contains("pending"),
                Duration.ofSeconds(10));

        t.type("nBad_Name\r");
        t.awaitScreen("invalid name 'Bad_Name'");
        t.type("n\033");                              // Esc cancels
        t.awaitScreen("cancelled");

        failCreate = new BoxdException(ErrorCode.QUOTA, "box limit reached (5)", "destroy a box first");
        t.type("nmore\r");
        t.awaitScreen("error: box limit reached (5) (destroy a box first)");
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("create api", "create more"), calls);
    }

    @Test
    void rRebootsAndCAndEnterConnectWithTheScreenRestoredMeanwhile() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        Terminal term = t.terminal();
        List<Boolean> echoDuringConnect = new CopyOnWriteArrayList<>();
        Dashboard.Actions recording = new Dashboard.Actions() {
            @Override public void create(String name) { actions.create(name); }
            @Override public void connect(Box box) {
                echoDuringConnect.add(term.getAttributes().getLocalFlag(Attributes.LocalFlag.ECHO));
                actions.connect(box);
            }
            @Override public void reboot(Box box) { actions.reboot(box); }
            @Override public void destroy(Box box) { actions.destroy(box); }
        };
        CompletableFuture<Integer> run = start(t, dash().actions(recording));
        awaitDrawn(t);
        t.type("r");
        awaitCalls("reboot cache");
        t.awaitScreen("reboot of cache requested");
        t.type("j\r");
        awaitCalls("reboot cache", "connect db");
        t.awaitScreen("back from db");
        t.type("jc");
        awaitCalls("reboot cache", "connect db", "connect web");
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(true, true), echoDuringConnect, "connect runs with the terminal in its normal mode");
        String out = t.output();
        assertTrue(out.indexOf("\u001b[?1049l") < out.lastIndexOf("\u001b[?1049h"),
                "left the alternate screen for connect and came back");
    }

    @Test
    void resizeRedrawsAtTheNewWidth() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        t.awaitScreen("DISK");
        t.resize(40, 12);
        // The emulated screen restarts blank at 40x12: only a full redraw at the new width shows this.
        t.awaitScreen(s -> !s.contains("DISK") && s.contains("UPTIME") && s.contains("> cache")
                && s.contains("q quit"), Duration.ofSeconds(10));
        t.resize(120, 30);
        t.awaitScreen(s -> s.contains("DISK") && s.contains("web    running   10.77.0.2  2m         2   2G   10G"),
                Duration.ofSeconds(10));
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
    }

    @Test
    void refreshesByItselfAndAtOnceWhenTheWatchFires() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        awaitDrawn(t);
        boxes.add(box("late", ObservedState.RUNNING, "10.77.0.5", NOW, 1));
        t.awaitScreen("10.77.0.5");
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));

        List<Runnable> listeners = new CopyOnWriteArrayList<>();
        List<Boolean> closed = new CopyOnWriteArrayList<>();
        VirtualTerminal t2 = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run2 = start(t2, dash().refresh(Duration.ofHours(1)).watch(l -> {
            listeners.add(l);
            return () -> closed.add(true);
        }));
        t2.awaitScreen(s -> s.contains("late") && s.contains("q quit"), Duration.ofSeconds(10));
        boxes.add(box("pushed", ObservedState.RUNNING, "10.77.0.6", NOW, 1));
        Thread.sleep(300);
        assertFalse(t2.screen().contains("pushed"), "no refresh before the watch fires (interval is an hour)");
        listeners.forEach(Runnable::run);
        t2.awaitScreen("10.77.0.6");
        t2.type("q");
        assertEquals(0, run2.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(true), closed, "the watch is closed on exit");
    }

    @Test
    void quitRestoresTheTerminal() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        Terminal term = t.terminal();
        Attributes before = new Attributes(term.getAttributes());
        Terminal.SignalHandler mine = s -> { };
        term.handle(Terminal.Signal.WINCH, mine);
        CompletableFuture<Integer> run = start(t, dash());
        awaitDrawn(t);
        t.type("\003");                             // Ctrl-C quits too
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
        assertEquals(before.toString(), term.getAttributes().toString());
        assertSame(mine, term.handle(Terminal.Signal.WINCH, Terminal.SignalHandler.SIG_DFL), "WINCH handler restored");
        String out = t.output();
        assertTrue(out.contains("\u001b[?1049h") && out.lastIndexOf("\u001b[?1049l") > out.lastIndexOf("\u001b[?1049h"),
                "alternate screen entered and left");
        assertTrue(out.lastIndexOf("\u001b[?25h") > out.lastIndexOf("\u001b[?25l"), "cursor shown again");
    }

    @Test
    void endOfInputEndsItAndADumbTerminalIsRefused() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        CompletableFuture<Integer> run = start(t, dash());
        awaitDrawn(t);
        t.endInput();
        assertEquals(0, run.get(10, TimeUnit.SECONDS));

        VirtualTerminal dumb = terminal("dumb", 80, 24);
        assertEquals(1, start(dumb, dash()).get(10, TimeUnit.SECONDS));
        assertTrue(dumb.output().contains("dash needs a full-screen terminal"), dumb.output());
        assertTrue(dumb.output().contains("ssh -t"), dumb.output());
    }

    @Test
    void aFailingListIsShownAndTheLastOneKept() throws Exception {
        VirtualTerminal t = terminal("xterm-256color", 100, 20);
        List<Boolean> broken = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> run = start(t, dash().boxes(() -> {
            if (!broken.isEmpty()) throw new BoxdException(ErrorCode.UNAVAILABLE, "control plane unreachable");
            return List.copyOf(boxes);
        }));
        awaitDrawn(t);
        broken.add(true);
        t.awaitScreen(s -> s.contains("cannot read your boxes: control plane unreachable") && s.contains("10.77.0.2"),
                Duration.ofSeconds(10));
        t.type("q");
        assertEquals(0, run.get(10, TimeUnit.SECONDS));
    }
}
