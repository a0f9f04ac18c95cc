package boxd.tui;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.tui.testing.DemoMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real terminal path: {@link DemoMain} runs in a tmux pane (a real PTY, put in raw mode the way an OpenSSH client
 * puts the user's terminal), with the terminal built as the SSH frontend builds it. Keys go in with
 * {@code tmux send-keys}; what a person would see comes back with {@code capture-pane}.
 */
@Timeout(120)
class TmuxPromptIT {

    @TempDir
    Path dir;

    /** The tmux server's socket, in the test's temp dir: a private server, removed with the dir. */
    private String socket() {
        return dir.resolve("tmux.sock").toString();
    }

    @BeforeEach
    void needTmux() {
        Host.requireCommand("tmux", "tmux");
        Host.requireCommand("stty", "coreutils");
    }

    @AfterEach
    void killServer() {
        Cmd.run(List.of("tmux", "-S", socket(), "kill-server"), null, 10, null);
    }

    private Cmd.Result tmux(String... args) {
        List<String> argv = new ArrayList<>(List.of("tmux", "-S", socket()));
        argv.addAll(List.of(args));
        return Cmd.run(argv, null, 20, null);
    }

    private String capture() {
        return tmux("capture-pane", "-p", "-t", "demo").stdout();
    }

    private String await(Predicate<String> test, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String screen = capture();
        while (!test.test(screen)) {
            if (System.nanoTime() > end) fail("waited for " + what + "; the pane shows:\n" + screen);
            Thread.sleep(100);
            screen = capture();
        }
        return screen;
    }

    private String await(String text) throws InterruptedException {
        return await(s -> s.contains(text), "'" + text + "'");
    }

    @Test
    void promptCompletionTablesDashboardResizeAndHistoryThroughARealPty() throws Exception {
        Path history = dir.resolve("history");
        Path log = dir.resolve("stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "stty raw -echo; exec " + q(java) + " -cp " + q(classPath()) + " "
                + DemoMain.class.getName() + " " + q(history.toString()) + " 2>" + q(log.toString());
        tmux("new-session", "-d", "-s", "demo", "-x", "100", "-y", "30", command).requireSuccess();
        tmux("set-option", "-t", "demo", "remain-on-exit", "on");

        await("boxd>");

        // Completion of a verb, then a table.
        tmux("send-keys", "-t", "demo", "li", "Tab");
        await("boxd> list");
        tmux("send-keys", "-t", "demo", "Enter");
        await(s -> s.contains("NAME   STATUS   IP") && s.contains("alpha  running  10.77.0.2"), "the table");

        // A flag completes, quoted words arrive whole.
        tmux("send-keys", "-t", "demo", "new --na", "Tab");
        await("new --name");
        tmux("send-keys", "-t", "demo", "-l", "web");
        tmux("send-keys", "-t", "demo", "Enter");
        await("created web");

        // Box names complete.
        tmux("send-keys", "-t", "demo", "destroy we", "Tab");
        await("destroy web");
        long before = capture().lines().filter(l -> l.startsWith("boxd>")).count();
        tmux("send-keys", "-t", "demo", "C-c");                 // Ctrl-C drops the line
        await(s -> s.lines().filter(l -> l.startsWith("boxd>")).count() > before, "a fresh prompt after Ctrl-C");
        tmux("send-keys", "-t", "demo", "new --name wide-box-with-a-long-name", "Enter");
        await("created wide-box-with-a-long-name");

        // The dashboard: full screen, live list, selection, resize.
        tmux("send-keys", "-t", "demo", "dash", "Enter");
        String dash = await(s -> s.contains("boxd dash - demo") && s.contains("q quit") && s.contains("alpha")
                && s.contains("web") && s.contains("10.77.0.2") && s.contains("DISK"), "the dashboard");
        assertFalse(dash.contains("created web"), "the alternate screen hides the prompt's lines: " + dash);
        tmux("send-keys", "-t", "demo", "j");
        await(s -> s.lines().anyMatch(l -> l.startsWith("> web")), "the selection on web");
        tmux("resize-window", "-t", "demo", "-x", "50", "-y", "20");
        await(s -> s.contains("boxd dash") && !s.contains("DISK") && s.contains("q quit"), "a redraw at 50 columns");
        tmux("resize-window", "-t", "demo", "-x", "100", "-y", "30");
        await(s -> s.contains("DISK"), "a redraw at 100 columns");

        // Destroy with confirmation.
        tmux("send-keys", "-t", "demo", "d");
        await("Destroy web?");
        tmux("send-keys", "-t", "demo", "y");
        await("destroyed web");
        await(s -> !s.contains("10.77.0.3"), "web gone from the list");

        // q leaves the full screen: the prompt's lines are back.
        tmux("send-keys", "-t", "demo", "q");
        await(s -> s.contains("created web") && s.contains("boxd>") && !s.contains("boxd dash"), "the prompt again");

        tmux("send-keys", "-t", "demo", "exit", "Enter");
        await("bye");
        String hist = Files.readString(history);
        assertTrue(hist.contains("new --name web") && hist.contains("dash"), hist);
        assertFalse(hist.contains("destroy we"), "the cancelled line is not in the history: " + hist);
        String errors = Files.readString(log);
        assertTrue(errors.isBlank(), "nothing on stderr: " + errors);
    }

    private static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** {@return the test class path as real paths (failsafe may pass a manifest-only jar)} */
    private static String classPath() throws IOException {
        String cp = System.getProperty("java.class.path");
        String[] parts = cp.split(File.pathSeparator);
        if (parts.length != 1 || !parts[0].endsWith(".jar")) return cp;
        try (JarFile jar = new JarFile(parts[0])) {
            Manifest m = jar.getManifest();
            String entries = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (entries == null) return cp;
            List<String> out = new ArrayList<>();
            Path base = Path.of(parts[0]).toAbsolutePath().getParent();
            for (String e : entries.trim().split("\\s+")) {
                String p = e.startsWith("file:") ? Path.of(java.net.URI.create(e)).toString() : base.resolve(e).toString();
                out.add(p);
            }
            return String.join(File.pathSeparator, out);
        }
    }
}
