package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.ssh.auth.Caller;
import boxd.ssh.auth.ControlPublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.subsystem.SubsystemFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Serves the {@code sftp} subsystem for {@code NAME@HOST}: the caller's box's own sftp-server, relayed, so that
 * {@code sftp -P 2222 web@HOST}, {@code scp -P 2222 FILE web@HOST:PATH} (SFTP is scp's protocol since OpenSSH 9.0)
 * and file managers that speak SFTP reach the box as they would its sshd. The frontend itself serves no files: without
 * a box in the user name the request is refused with how to name one.
 */
public final class SftpRelayFactory implements SubsystemFactory {
    public static final String NAME = "sftp";

    private final ControlPublickeyAuthenticator accounts;
    private final VerbServices services;
    private final ExecutorService threads;

    public SftpRelayFactory(ControlPublickeyAuthenticator accounts, VerbServices services, ExecutorService threads) {
        this.accounts = accounts;
        this.services = services;
        this.threads = threads;
    }

    @Override
    public String getName() { return NAME; }

    @Override
    public Command createSubsystem(ChannelSession channel) {
        return new ChannelCommand(threads, (session, in, out, err, tty) -> {
            Caller caller = accounts.resolve(session);
            Optional<Box> routed = VerbCommandFactory.routedBox(caller, services.control());
            if (routed.isEmpty()) {
                // an SFTP client shows stderr and then reports the closed channel
                err.write(("boxd: sftp and scp go to a box: put its name before the host, e.g. sftp -P PORT NAME@HOST"
                        + " or scp -P PORT FILE NAME@HOST:PATH (your boxes: ssh -p PORT HOST list)\n")
                        .getBytes(StandardCharsets.UTF_8));
                return 1;
            }
            return services.relay().subsystem(routed.get(), NAME, in, out, err);
        });
    }
}
