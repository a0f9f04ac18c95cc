package boxd.ssh.verbs;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.ssh.auth.Caller;
import boxd.ssh.auth.ControlPublickeyAuthenticator;
import boxd.ssh.relay.TunnelChannel;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.session.ServerSession;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Serves {@code direct-tcpip} channels ({@code ssh -L LPORT:HOST:PORT NAME@HOST}, {@code ssh -W HOST:PORT NAME@HOST})
 * for a session routed to one of the caller's boxes, the same way as a command: the connection is made by the box's own
 * sshd, so HOST:PORT is as the box sees it ({@code localhost} is the box's loopback). Without a box of the caller's in
 * the user name the channel is refused with how to name one; the frontend itself connects nowhere.
 */
public final class DirectTcpipRelayFactory implements ChannelFactory {
    public static final String NAME = "direct-tcpip";

    private final ControlPublickeyAuthenticator accounts;
    private final VerbServices services;
    private final ExecutorService threads;

    public DirectTcpipRelayFactory(ControlPublickeyAuthenticator accounts, VerbServices services, ExecutorService threads) {
        this.accounts = accounts;
        this.services = services;
        this.threads = threads;
    }

    @Override
    public String getName() { return NAME; }

    @Override
    public Channel createChannel(Session session) {
        return new TunnelChannel(this::route, services.relay(), threads);
    }

    private Box route(ServerSession session, String host, int port) {
        Caller caller = accounts.resolve(session);
        Optional<Box> routed = VerbCommandFactory.routedBox(caller, services.control());
        if (routed.isEmpty()) {
            // hostHint is "ssh [-p PORT] HOST": the box name goes before the host, the forwarding before both
            String hint = caller.hostHint();
            int at = hint.lastIndexOf(' ');
            String example = hint.substring(0, at) + " -L LPORT:" + host + ":" + port + " NAME@" + hint.substring(at + 1);
            throw new BoxdException(ErrorCode.FORBIDDEN, "forwarding goes to a box: " + example
                    + ", where NAME is one of your boxes ('" + caller.sshUser() + "' is not)",
                    "your boxes: " + hint + " list");
        }
        return routed.get();  // the relay refuses a box that is not running, as for every other channel
    }
}
