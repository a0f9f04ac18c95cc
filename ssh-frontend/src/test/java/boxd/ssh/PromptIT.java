package boxd.ssh;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The {@code boxd>} prompt and the dashboard through a real PTY: OpenSSH runs inside tmux, the test reads the screen. */
class PromptIT {
    private final String socket = "boxd-prompt-" + ProcessHandle.current().pid();
    private Frontend fe;

    @AfterEach
    void cleanup() {
        Cmd.run("tmux", "-L", socket, "kill-server");
        if (fe != null) fe.close();
    }

    private Cmd.Result tmux(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("tmux", "-L", socket));
        argv.addAll(List.of(args));
        return Cmd.run(argv);
    }

    private String screen() {
        return tmux("capture-pane", "-p", "-t", "t").stdout();
    }

    private String waitFor(String what, Predicate<String> p) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen();
            if (p.test(s)) return s;
            Thread.sleep(100);
        }
        return fail("screen never showed " + what + ":\n" + s);
    }

    private void type(String keys) {
        tmux("send-keys", "-t", "t", "-l", keys);
    }

    private void key(String name) {
        tmux("send-keys", "-t", "t", name);
    }

    @Test
    void promptRunsVerbsCompletesAndTheDashboardShowsBoxes(@TempDir Path dir) throws Exception {
        Host.requireCommand("tmux", "tmux");
        fe = Frontend.start(dir);
        Path key = fe.key("pty");
        SshVerbsIT.ok(fe.run(key, "pat", "new", "--name=alpha", "--no-wait"));
        String cmd = fe.sshArgv(key, "pat", "-t").stream().map(boxd.ssh.verbs.CommandLine::quote).collect(Collectors.joining(" "));
        tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", "env TERM=xterm-256color " + cmd).requireSuccess();
        waitFor("the prompt", s -> s.contains("boxd>"));

        type("whoami");
        key("Enter");
        waitFor("whoami's answer", s -> s.lines().anyMatch(l -> l.startsWith("pat")));

        type("li");
        key("Tab");
        waitFor("completion of 'li' to 'list'", s -> s.contains("boxd> list"));
        key("Enter");
        waitFor("the box table", s -> s.contains("NAME") && s.contains("alpha"));

        type("frob");
        key("Enter");
        waitFor("an error for an unknown verb", s -> s.contains("unknown verb 'frob'"));

        type("dash");
        key("Enter");
        String dash = waitFor("the dashboard with the box", s -> s.contains("alpha") && !s.contains("boxd> dash"));
        tmux("resize-window", "-t", "t", "-x", "70", "-y", "20");
        waitFor("the dashboard redrawn at 70 columns", s -> s.contains("alpha") && s.lines().allMatch(l -> l.length() <= 70));
        key("q");
        waitFor("the prompt again", s -> s.contains("boxd>") && !s.equals(dash));

        type("exit");
        key("Enter");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (tmux("has-session", "-t", "t").exit() == 0 && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(Files.exists(dir.resolve("data").resolve("history").resolve("pat")), "per-user history is kept");
    }

    @Test
    void dashAsAnExecVerbWithATerminal(@TempDir Path dir) throws Exception {
        Host.requireCommand("tmux", "tmux");
        fe = Frontend.start(dir);
        Path key = fe.key("dash");
        SshVerbsIT.ok(fe.run(key, "dan", "new", "--name=beta", "--no-wait"));
        String cmd = fe.sshArgv(key, "dan", "-t", "dash").stream().map(boxd.ssh.verbs.CommandLine::quote).collect(Collectors.joining(" "));
        tmux("new-session", "-d", "-s", "t", "-x", "90", "-y", "25", "env TERM=xterm-256color " + cmd + "; echo exit=$?; sleep 30")
                .requireSuccess();
        waitFor("the dashboard with the box", s -> s.contains("beta") && s.contains("dan"));
        key("q");
        waitFor("ssh ending with status 0", s -> s.contains("exit=0"));
    }
}
