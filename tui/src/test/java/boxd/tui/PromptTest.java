package boxd.tui;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.tui.testing.VirtualTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(60)
class PromptTest {

    @TempDir
    Path dir;

    private final List<List<String>> received = Collections.synchronizedList(new ArrayList<>());
    private final List<VirtualTerminal> terminals = new ArrayList<>();

    /** A runner that records argv and answers like a tiny boxd. */
    private final VerbRunner runner = (argv, in, out, err) -> {
        received.add(argv);
        switch (argv.get(0)) {
            case "list" -> out.println("NAME  STATUS\nweb   running");
            case "help" -> out.println("usage: " + (argv.size() > 1 ? argv.get(1) + " ..." : "boxd VERB ..."));
            case "fail" -> throw new BoxdException(ErrorCode.NOT_FOUND, "no box named 'nope'", "see 'list'");
            case "boom" -> throw new IllegalStateException("kaput");
            case "wait" -> {
                try {
                    Thread.sleep(30_000);
                    out.println("slept");
                    return 0;
                } catch (InterruptedException e) {
                    err.println("interrupted");
                    return 130;
                }
            }
            case "status" -> {
                return Integer.parseInt(argv.get(1));
            }
            default -> out.println("ran " + String.join("|", argv));
        }
        return 0;
    };

    private final CompletionSource completion;

    PromptTest() {
        Map<String, List<String>> verbs = new LinkedHashMap<>();
        verbs.put("new", List.of("--name", "--cpus", "--mem", "--disk", "--image", "--no-wait", "--json"));
        verbs.put("list", List.of("--json"));
        verbs.put("info", List.of("--json"));
        verbs.put("destroy", List.of("--json"));
        verbs.put("exec", List.of("--tty", "-e", "--timeout"));
        verbs.put("cp", List.of());
        verbs.put("keys", List.of("--json"));
        verbs.put("help", List.of());
        completion = CompletionSource.of(verbs, Map.of("keys", List.of("list", "add", "remove")),
                () -> List.of("web", "worker"));
    }

    @AfterEach
    void closeTerminals() throws Exception {
        for (VirtualTerminal t : terminals) t.close();
    }

    private VirtualTerminal terminal(String type) {
        VirtualTerminal t = new VirtualTerminal(type, 100, 30);
        terminals.add(t);
        return t;
    }

    private CompletableFuture<Integer> start(VirtualTerminal t, Path history) {
        Prompt p = Prompt.builder().terminal(t.terminal()).runner(runner).completion(completion)
                .historyFile(history).build();
        return CompletableFuture.supplyAsync(p::run, r -> Thread.ofPlatform().daemon().start(r));
    }

    private static int done(CompletableFuture<Integer> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void showsTheBannerAndPromptAndRunsVerbsSplitLikeAShell() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, dir.resolve("h"));
        t.awaitScreen("boxd>");
        assertTrue(t.screen().contains("Type 'help'"), t.screen());
        t.type("list\r");
        t.awaitScreen("web   running");
        t.type("new --name 'my box' --mem=\"2 G\" \r");
        t.awaitScreen("ran new|--name|my box|--mem=2 G");
        t.type("help\r");
        t.awaitScreen("usage: boxd VERB");
        t.type("exit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(List.of("list"), List.of("new", "--name", "my box", "--mem=2 G"), List.of("help")),
                received);
        assertTrue(t.screen().contains("usage: boxd VERB"), t.screen());
    }

    @Test
    void emptyLinesAndCommentsRunNothingAndQuitAndCtrlDLeave() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.type("\r   \r# just a note\rstatus 3\rquit\r");
        assertEquals(3, done(run), "the last verb's status");
        assertEquals(List.of(List.of("status", "3")), received);

        VirtualTerminal t2 = terminal("xterm-256color");
        CompletableFuture<Integer> run2 = start(t2, null);
        t2.awaitScreen("boxd>");
        t2.type("\004");
        assertEquals(0, done(run2));

        VirtualTerminal t3 = terminal("xterm-256color");
        CompletableFuture<Integer> run3 = start(t3, null);
        t3.awaitScreen("boxd>");
        t3.endInput();                           // the client went away
        assertEquals(0, done(run3));
    }

    @Test
    void ctrlCCancelsTheLineBeingTyped() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.awaitScreen("boxd>");
        t.type("destroy web");
        t.awaitScreen("destroy web");
        t.type("\003");
        t.awaitScreen(s -> prompts(s) == 2, Duration.ofSeconds(10));   // a fresh prompt: the line is gone
        t.type("list\rexit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(List.of("list")), received, "the cancelled line never reached the runner");
    }

    @Test
    void ctrlCInterruptsARunningVerbAndThePromptGoesOn() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.awaitScreen("boxd>");
        t.type("wait\r");
        awaitReceived(1);
        Thread.sleep(200);
        t.type("\003");
        t.awaitScreen("interrupted");
        t.type("list\rexit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(List.of("wait"), List.of("list")), received);
    }

    @Test
    void errorsShowMessageAndHintAndTheSessionContinues() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.awaitScreen("boxd>");
        t.type("fail\r");
        t.awaitScreen("hint: see 'list'");
        assertTrue(t.screen().contains("error: no box named 'nope'"), t.screen());
        t.type("boom\r");
        t.awaitScreen("error: kaput");
        t.type("say 'unclosed\r");            // JLine asks for more on an open quote...
        t.type("end'\r");                     // ...and the two lines make one word
        t.awaitScreen("ran say|unclosed");
        t.type("exit\r");
        assertEquals(0, done(run));
        assertEquals(List.of("say", "unclosed\nend"), received.get(2));
    }

    @Test
    void tabCompletesVerbsFlagsSubcommandsAndBoxNames() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.awaitScreen("boxd>");
        t.type("dest\tw\t");                       // ambiguous "w": web/worker, Tab lists them
        t.type("\025");                             // Ctrl-U: kill the line
        t.type("info we\t\r");
        t.type("new --na\tx\r");
        t.type("keys re\t\r");
        t.type("help ex\t\r");
        t.type("cp - wo\tapp.tar\r");
        t.type("exec web -- --ti\t\r");             // after --, words belong to the box's command
        t.type("exit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(
                List.of("info", "web"),
                List.of("new", "--name", "x"),
                List.of("keys", "remove"),
                List.of("help", "exec"),
                List.of("cp", "-", "worker:app.tar"),
                List.of("exec", "web", "--", "--ti")), received);
        String out = t.output();
        assertTrue(out.contains("web") && out.contains("worker"), "both candidates were listed: " + out);
    }

    @Test
    void boxNamesAreAskedForAtEveryCompletion() throws Exception {
        List<String> names = Collections.synchronizedList(new ArrayList<>(List.of("alpha")));
        CompletionSource src = CompletionSource.of(Map.of("info", List.of()), () -> List.copyOf(names));
        VirtualTerminal t = terminal("xterm-256color");
        Prompt p = Prompt.builder().terminal(t.terminal()).runner(runner).completion(src).build();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(p::run, r -> Thread.ofPlatform().daemon().start(r));
        t.type("info a\t\r");
        awaitReceived(1);
        names.add("bravo");
        t.type("info b\t\rexit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(List.of("info", "alpha"), List.of("info", "bravo")), received);
    }

    @Test
    void historyIsKeptAcrossTwoSessionsWithTheSameFile() throws Exception {
        Path history = dir.resolve("users/alice/history");
        VirtualTerminal first = terminal("xterm-256color");
        CompletableFuture<Integer> run1 = start(first, history);
        first.type("list\rinfo web\rexit\r");
        assertEquals(0, done(run1));
        assertTrue(Files.readString(history).contains("info web"), "written to the file");
        assertFalse(Files.readString(history).contains("exit"), "exit is not kept");

        received.clear();
        VirtualTerminal second = terminal("xterm-256color");
        CompletableFuture<Integer> run2 = start(second, history);
        second.awaitScreen("boxd>");
        second.type("\033[A\r");                    // Up: the last line of the first session
        second.type("\033[A\033[A\r");              // Up twice: the one before it ("info web" is now the last)
        second.type("exit\r");
        assertEquals(0, done(run2));
        assertEquals(List.of(List.of("info", "web"), List.of("list")), received);

        VirtualTerminal other = terminal("xterm-256color");
        CompletableFuture<Integer> run3 = start(other, dir.resolve("users/bob/history"));
        other.awaitScreen("boxd>");
        received.clear();
        other.type("\033[A\rexit\r");                // bob has no history: Up does nothing, Enter runs nothing
        assertEquals(0, done(run3));
        assertEquals(List.of(), received);
    }

    @Test
    void widgetsShowHelpForTheVerbAboveTheLine() throws Exception {
        VirtualTerminal t = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(t, null);
        t.awaitScreen("boxd>");
        t.type("destroy");
        t.awaitScreen("destroy");
        t.type("\033h");                            // Alt-h
        t.awaitScreen("usage: destroy ...");
        t.type("\033b");                            // Alt-b lists the boxes
        t.awaitScreen("web   running");
        t.type(" web\r");                           // the line was kept
        t.type("exit\r");
        assertEquals(0, done(run));
        assertEquals(List.of(List.of("help", "destroy"), List.of("list"), List.of("destroy", "web")), received);
    }

    @Test
    void colourOnlyWhenTheTerminalSupportsIt() throws Exception {
        VirtualTerminal colour = terminal("xterm-256color");
        CompletableFuture<Integer> run = start(colour, null);
        colour.awaitOutput("boxd");
        colour.type("exit\r");
        done(run);
        assertTrue(colour.output().matches("(?s).*\u001b\\[[0-9;]*3[0-9;]*m.*"), "a colour escape: " + colour.output());

        VirtualTerminal dumb = terminal("dumb");
        CompletableFuture<Integer> run2 = start(dumb, null);
        dumb.awaitOutput("boxd> ");
        dumb.type("fail\r");
        dumb.awaitOutput("hint: see 'list'");
        dumb.type("exit\r");
        done(run2);
        assertFalse(dumb.output().contains("\u001b["), "no escapes on a dumb terminal: " + dumb.output());
        assertEquals(List.of(List.of("fail")), received);
    }

    @Test
    void terminalTypesAreMappedToOnesJLineKnows() {
        assertEquals("xterm-256color", Terminals.normalizeType("xterm-kitty"));
        assertEquals("xterm-256color", Terminals.normalizeType("alacritty"));
        assertEquals("screen-256color", Terminals.normalizeType("tmux-256color"));
        assertEquals("xterm", Terminals.normalizeType("xterm"));
        assertEquals("dumb", Terminals.normalizeType(null));
        assertEquals("ansi", Terminals.normalizeType("linux"));
    }

    private static long prompts(String screen) {
        return screen.lines().filter(l -> l.startsWith("boxd>")).count();
    }

    private void awaitReceived(int n) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (received.size() < n) {
            if (System.nanoTime() > end) fail("runner got " + received);
            Thread.sleep(10);
        }
    }
}
