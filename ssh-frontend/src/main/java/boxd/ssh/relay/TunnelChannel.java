package boxd.ssh.relay;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.Closeable;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.ChannelAsyncOutputStream;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A user's {@code direct-tcpip} channel ({@code ssh -L}, {@code ssh -W}) relayed into a box: on open, the session is
 * routed to a box (off the I/O thread), a {@link BoxTunnel} to the requested host and port is opened on the box's
 * connection, and only then is the user's channel confirmed. Bytes flow through two {@link Pipe}s; an EOF on either
 * side is passed on after the bytes before it, and a close on either side closes the other once its bytes are through.
 * The session going away closes the box side at once.
 */
public final class TunnelChannel extends AbstractServerChannel {
    private static final Logger log = LoggerFactory.getLogger(TunnelChannel.class);

    /** Picks the box a session's forwarding goes to. @throws BoxdException (its message reaches the user) */
    public interface Router {
        Box boxFor(ServerSession session, String host, int port);
    }

    private final Router router;
    private final BoxRelay relay;
    private final Executor executor;
    private final Object openLock = new Object();
    private ChannelAsyncOutputStream out;
    private volatile BoxTunnel tunnel;
    private volatile Pipe toUser;
    private volatile Pipe toBox;

    public TunnelChannel(Router router, BoxRelay relay, Executor executor) {
        super("", Collections.emptyList(), null);
        this.router = router;
        this.relay = relay;
        this.executor = executor;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String host = buffer.getString();
        int port = buffer.getInt();
        String originHost = buffer.getString();
        int originPort = buffer.getInt();
        OpenFuture f = new DefaultOpenFuture(this, openLock);
        out = new ChannelAsyncOutputStream(this, SshConstants.SSH_MSG_CHANNEL_DATA);
        addCloseFutureListener(c -> userClosed());
        try {
            executor.execute(() -> connect(f, host, port, originHost, originPort));
        } catch (RejectedExecutionException e) {
            fail(SshConstants.SSH_OPEN_CONNECT_FAILED, "the server is shutting down");
        }
        return f;
    }

    /** Runs on a worker thread: routing asks the control plane, and reaching the box may take a handshake. */
    private void connect(OpenFuture f, String host, int port, String originHost, int originPort) {
        BoxTunnel t;
        try {
            Box box = router.boxFor((ServerSession) getSession(), host, port);
            t = relay.tunnel(box, host, port, originHost, originPort);
        } catch (BoxdException e) {
            int reason = e.code() == ErrorCode.FORBIDDEN || e.code() == ErrorCode.NOT_FOUND
                    ? SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED : SshConstants.SSH_OPEN_CONNECT_FAILED;
            fail(reason, e.getMessage() + (e.hint() == null || e.hint().isEmpty() ? "" : " (" + e.hint() + ")"));
            return;
        } catch (IOException | RuntimeException e) {
            fail(SshConstants.SSH_OPEN_CONNECT_FAILED, "cannot reach the box: " + e.getMessage());
            return;
        }
        tunnel = t;
        Pipe up = new Pipe("forward to " + host + ":" + port, this, t, null, t::sendEofToBox);
        Pipe down = new Pipe("forward from " + host + ":" + port, t, this, null, this::sendEof);
        toBox = up;
        toUser = down;
        t.sink(down);
        t.addCloseFutureListener(c -> down.finish());
        try {
            t.open().addListener(of -> {
                if (!of.isOpened()) {
                    Throwable e = of.getException();
                    int reason = e instanceof SshChannelOpenException s ? s.getReasonCode() : SshConstants.SSH_OPEN_CONNECT_FAILED;
                    fail(reason, "the box cannot connect to " + host + ":" + port + ": "
                            + (e == null ? "refused" : e.getMessage()));
                    t.close(true);
                    return;
                }
                up.start(t.getAsyncIn());
                if (isClosing()) {
                    t.close(true);
                    return;
                }
                try {
                    signalChannelOpenSuccess(); // sends the confirmation to the user
                    f.setOpened();
                } catch (RuntimeException e) {
                    log.debug("forwarded channel not confirmed: {}", e.toString());
                    close(true);
                    t.close(true);
                    return;
                }
                down.start(out);
            });
        } catch (IOException | RuntimeException e) {
            t.close(true);
            fail(SshConstants.SSH_OPEN_CONNECT_FAILED, "cannot reach the box: " + e.getMessage());
        }
    }

    /**
     * Refuses the open with {@code message} for the user's client to print ("channel N: open failed: ..."). The failure
     * is sent here and the open future is left pending: MINA 2.14 answers a failed open future with a generic text in
     * place of the exception's message, and one channel must get exactly one answer.
     */
    private void fail(int reason, String message) {
        log.debug("forwarding refused ({}): {}", reason, message);
        signalChannelOpenFailure(new SshChannelOpenException(getChannelId(), reason, message));
        try {
            Session s = getSession();
            Buffer b = s.createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN_FAILURE, message.length() + 32);
            b.putUInt(getRecipient());
            b.putUInt(reason);
            b.putString(message);
            b.putString(""); // language tag
            s.writePacket(b);
        } catch (IOException | RuntimeException e) {
            log.debug("open failure not sent: {}", e.toString());
        } finally {
            close(true);
        }
    }

    /** The user's side closed: flush what is on its way to the box, then close that; at once if the session is gone. */
    private void userClosed() {
        BoxTunnel t = tunnel;
        if (t == null) return;
        Pipe up = toBox;
        if (up == null || getSession().isClosing() || !getSession().isOpen()) {
            t.close(true);
        } else {
            up.finish();
        }
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        Pipe up = toBox;
        if (up != null) up.eof();
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) {
        Pipe up = toBox;
        if (up == null) throw new IllegalStateException("data before the channel was confirmed");
        up.data(data, off, len);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) {
        throw new UnsupportedOperationException("a direct-tcpip channel carries no extended data");
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        ChannelAsyncOutputStream o = out;
        if (o != null) o.onWindowExpanded();
    }

    @Override
    protected boolean mayWrite() {
        // the data stream may still be flushing while the channel closes gracefully
        return !isClosed();
    }

    @Override
    protected Closeable getInnerCloseable() {
        ChannelAsyncOutputStream o = out;
        return o == null ? super.getInnerCloseable() : builder().close(o).close(super.getInnerCloseable()).build();
    }
}
