package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.Control;
import boxd.common.Names;
import boxd.ssh.auth.Caller;
import boxd.ssh.auth.ControlPublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Serves exec channels ({@code ssh HOST VERB ...}) with the verb router. When the SSH user name is one of the
 * caller's boxes ({@code ssh web@HOST CMD}), the command runs in that box instead, as it would with a direct ssh.
 */
public final class VerbCommandFactory implements CommandFactory {
    private final ControlPublickeyAuthenticator accounts;
    private final VerbRouter router;
    private final VerbServices services;
    private final ExecutorService threads;

    public VerbCommandFactory(ControlPublickeyAuthenticator accounts, VerbRouter router, VerbServices services, ExecutorService threads) {
        this.accounts = accounts;
        this.router = router;
        this.services = services;
        this.threads = threads;
    }

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        return new ChannelCommand(threads, (session, in, out, err, tty) -> {
            Caller caller = accounts.resolve(session);
            Optional<Box> routed = routedBox(caller, services.control());
            if (routed.isPresent()) return services.relay().exec(routed.get(), command, tty, in, out, err, null);
            VerbContext ctx = new VerbContext(services, caller, in, out, err, tty);
            CommandLine line;
            try {
                line = CommandLine.parse(command);
            } catch (UsageException e) {
                VerbRouter.report(ctx, e, command.contains("--json"));
                return VerbRouter.EXIT_USAGE;
            }
            return router.run(line, ctx);
        });
    }

    /** {@return the caller's box named like the SSH user name ({@code ssh NAME@HOST}), if any} */
    public static Optional<Box> routedBox(Caller caller, Control control) {
        if (!caller.registered() || !Names.isValidLabel(caller.sshUser())) return Optional.empty();
        return control.box(caller.user().name(), caller.sshUser());
    }
}
