package boxd.ssh.shell;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.ssh.auth.Caller;
import boxd.ssh.auth.ControlPublickeyAuthenticator;
import boxd.ssh.relay.Tty;
import boxd.ssh.verbs.ChannelCommand;
import boxd.ssh.verbs.CommandLine;
import boxd.ssh.verbs.Verb;
import boxd.ssh.verbs.VerbCommandFactory;
import boxd.ssh.verbs.VerbContext;
import boxd.ssh.verbs.VerbRouter;
import boxd.ssh.verbs.VerbServices;
import boxd.tui.CompletionSource;
import boxd.tui.Dashboard;
import boxd.tui.LineMode;
import boxd.tui.Prompt;
import boxd.tui.VerbRunner;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.shell.ShellFactory;
import org.jline.terminal.Terminal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Serves shell channels ({@code ssh HOST} with no command). {@code ssh NAME@HOST} for one of the caller's boxes is a
 * shell in that box; otherwise a PTY gets the {@code boxd>} prompt over a JLine terminal built from the channel, and
 * no PTY gets the plain line mode (one verb per line).
 */
public final class BoxdShellFactory implements ShellFactory {
    /** Verbs that talk to the box and so get the terminal itself at the prompt. */
    private static final Set<String> RELAY_VERBS = Set.of("connect", "ssh", "exec", "cp");

    private final ControlPublickeyAuthenticator accounts;
    private final VerbRouter router;
    private final VerbServices services;
    private final ExecutorService threads;
    private final Path historyDir;

    public BoxdShellFactory(ControlPublickeyAuthenticator accounts, VerbRouter router, VerbServices services,
                            ExecutorService threads, Path historyDir) {
        this.accounts = accounts;
        this.router = router;
        this.services = services;
        this.threads = threads;
        this.historyDir = historyDir;
    }

    @Override
    public Command createShell(ChannelSession channel) {
        return new ChannelCommand(threads, (session, in, out, err, tty) -> {
            Caller caller = accounts.resolve(session);
            Optional<Box> routed = VerbCommandFactory.routedBox(caller, services.control());
            if (routed.isPresent()) return services.relay().shell(routed.get(), tty, in, out, err);
            if (tty == null) {
                PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
                return LineMode.builder().input(in).output(o).error(e)
                        .runner((argv, vin, vout, verr) -> runLine(session, argv, vin, vout, verr, null, null))
                        .build().run();
            }
            try (TerminalSessions.Opened opened = TerminalSessions.open(in, out, tty)) {
                Terminal t = opened.terminal();
                ThrowingRunner runner = (argv, vin, vout, verr) -> {
                    if (!argv.isEmpty() && RELAY_VERBS.contains(argv.get(0))) {
                        boolean raw = !argv.get(0).equals("cp") && (!argv.get(0).equals("exec") || argv.contains("--tty"));
                        if (raw) {
                            return TerminalSessions.relayRaw(t, pin -> () -> runLine(session, argv, pin, t.output(), t.output(), tty, t));
                        }
                        PollingInput pin = new PollingInput(org.jline.utils.NonBlocking.nonBlocking("boxd-exec", t.input()));
                        try {
                            return runLine(session, argv, pin, vout, verr, tty, t);
                        } finally {
                            pin.stop();
                        }
                    }
                    return runLine(session, argv, vin, vout, verr, tty, t);
                };
                Prompt.Builder b = Prompt.builder().terminal(t).runner(wrap(runner)).completion(completion(session));
                if (caller.registered()) {
                    b.historyFile(historyDir.resolve(caller.user().name()));
                } else {
                    b.banner("This key has no account here: new users join by invite.\n"
                            + "Ask an admin for a code, then run: " + caller.hostHint() + " register CODE\n");
                }
                return b.build().run();
            }
        });
    }

    /** VerbRunner may not throw checked exceptions; relayRaw does. */
    private static VerbRunner wrap(ThrowingRunner r) {
        return (argv, in, out, err) -> {
            try {
                return r.run(argv, in, out, err);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        };
    }

    @FunctionalInterface
    private interface ThrowingRunner {
        int run(List<String> argv, InputStream in, PrintStream out, PrintStream err) throws Exception;
    }

    private int runLine(org.apache.sshd.server.session.ServerSession session, List<String> argv, InputStream in,
                        OutputStream out, OutputStream err, Tty tty, Terminal terminal) {
        Caller caller = accounts.resolve(session);
        VerbContext ctx = new VerbContext(services, caller, in, out, err, tty).terminal(terminal);
        try {
            return router.run(CommandLine.of(argv), ctx);
        } catch (boxd.ssh.verbs.UsageException e) {
            ctx.eprintln("error: " + e.getMessage() + "\nhint: " + e.hint());
            return VerbRouter.EXIT_USAGE;
        }
    }

    private CompletionSource completion(org.apache.sshd.server.session.ServerSession session) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (Verb v : router.verbs()) {
            List<String> f = v.spec().flagNames().stream().map(n -> "--" + n).toList();
            flags.put(v.name(), f);
            for (String a : v.aliases()) flags.put(a, f);
        }
        Map<String, List<String>> subs = Map.of("keys", List.of("list", "add", "remove"),
                "proxy", List.of("list", "new", "set-port", "delete"));
        return CompletionSource.of(flags, subs, () -> {
            Caller c = accounts.resolve(session);
            if (!c.registered()) return List.of();
            return services.control().boxes(c.user().name()).stream().map(Box::name).toList();
        });
    }

    /** The {@code dash} verb: the tui dashboard on the prompt's terminal, or on one built for this exec channel. */
    public static VerbServices.DashboardLauncher dashboard() {
        return ctx -> {
            Terminal existing = ctx.terminal();
            if (existing != null) return runDashboard(ctx, existing);
            try (TerminalSessions.Opened opened = TerminalSessions.open(ctx.in(), ctx.rawOut(), ctx.tty())) {
                return runDashboard(ctx, opened.terminal());
            }
        };
    }

    private static int runDashboard(VerbContext ctx, Terminal t) {
        String user = ctx.user();
        Dashboard.Actions actions = new Dashboard.Actions() {
            @Override public void create(String name) { ctx.control().createBox(user, name, BoxSpec.DEFAULT); }

            @Override public void connect(Box box) {
                try {
                    Box b = ctx.runningBox(box.name());
                    TerminalSessions.relayRaw(t, in -> () -> ctx.relay().shell(b, ctx.tty(), in, t.output(), t.output()));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("connect failed: " + e.getMessage(), e);
                }
            }

            @Override public void reboot(Box box) { ctx.control().rebootBox(user, box.name()); }

            @Override public void destroy(Box box) { ctx.control().destroyBox(user, box.name()); }
        };
        return Dashboard.builder().terminal(t).title(user).boxes(() -> ctx.control().boxes(user))
                .watch(l -> ctx.control().watch(l)).actions(actions).build().run();
    }
}
