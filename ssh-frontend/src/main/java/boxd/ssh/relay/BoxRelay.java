package boxd.ssh.relay;

import boxd.common.Box;
import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.common.PlatformKey;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.io.input.NoCloseInputStream;
import org.apache.sshd.common.util.io.output.NoCloseOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Relays exec, shell, file copies and forwarded TCP connections ({@link TunnelChannel}) into a box's own sshd,
 * logging in as {@code boxd} with the platform key. One MINA client for the whole frontend; one SSH connection per
 * box, shared by concurrent operations (up to {@link #CHANNELS_PER_CONNECTION}, under OpenSSH's default MaxSessions of
 * 10) and closed after {@link #IDLE_CLOSE} without use, so a burst of {@code exec} pays the handshake once.
 */
public final class BoxRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BoxRelay.class);
    static final int CHANNELS_PER_CONNECTION = 8;
    static final Duration IDLE_CLOSE = Duration.ofSeconds(30);
    /** Exit status reported when {@code exec --timeout} cut a command short, as timeout(1) does. */
    public static final int TIMEOUT_EXIT = 124;

    private final PlatformKey platformKey;
    private final String loginUser;
    private final Function<Box, InetSocketAddress> addressOf;
    private final Duration connectTimeout;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Object startLock = new Object();
    private SshClient client;
    private ScheduledExecutorService sweeper;

    /**
     * @param addressOf where a box's sshd listens: {@code box.ipv4():22} in production ({@link #boxSshd}); tests point
     *                  it at an sshd of their own
     */
    public BoxRelay(PlatformKey platformKey, String loginUser, Function<Box, InetSocketAddress> addressOf, Duration connectTimeout) {
        this.platformKey = platformKey;
        this.loginUser = loginUser;
        this.addressOf = addressOf;
        this.connectTimeout = connectTimeout;
    }

    /** {@return the production target: port 22 on the box's address} */
    public static InetSocketAddress boxSshd(Box box) {
        return new InetSocketAddress(box.ipv4(), 22);
    }

    /**
     * Runs {@code command} through the box's shell with stdin streamed in and stdout/stderr kept apart.
     *
     * @param tty     a terminal to allocate on the box side, or null for none
     * @param timeout how long the command may run, or null for no limit
     * @return the remote exit status ({@value #TIMEOUT_EXIT} when cut off by {@code timeout}; 128+n for signal n)
     */
    public int exec(Box box, String command, Tty tty, InputStream in, OutputStream out, OutputStream err, Duration timeout)
            throws IOException {
        try (Lease lease = lease(box, true)) {
            ChannelExec ch = lease.session().createExecChannel(command);
            configurePty(ch, tty);
            return run(ch, tty, in, out, err, timeout);
        }
    }

    /** Opens a login shell in the box ({@code connect}, {@code NAME@HOST}). @return the shell's exit status */
    public int shell(Box box, Tty tty, InputStream in, OutputStream out, OutputStream err) throws IOException {
        try (Lease lease = lease(box, true)) {
            ChannelShell ch = lease.session().createShellChannel();
            configurePty(ch, tty);
            return run(ch, tty, in, out, err, null);
        }
    }

    /**
     * Relays a subsystem ({@code sftp}) to the box's sshd: the bytes both ways, unchanged; the box's sshd runs its own
     * server for it. @return the exit status
     */
    public int subsystem(Box box, String name, InputStream in, OutputStream out, OutputStream err) throws IOException {
        try (Lease lease = lease(box, true)) {
            return run(lease.session().createSubsystemChannel(name), null, in, out, err, null);
        }
    }

    /**
     * Opens (not yet {@link BoxTunnel#open() open}) a {@code direct-tcpip} channel on the box's connection to
     * {@code host:port} as the box sees it ({@code localhost} is the box's loopback). The connection stays leased until
     * the channel closes.
     */
    BoxTunnel tunnel(Box box, String host, int port, String originHost, int originPort) throws IOException {
        Lease lease = lease(box, false);
        try {
            // the originator is only informative (the box's sshd logs it); keep a malformed one from failing the open
            SshdSocketAddress origin = new SshdSocketAddress(originHost == null || originHost.isBlank() ? "127.0.0.1" : originHost,
                    originPort < 0 || originPort > 0xFFFF ? 0 : originPort);
            BoxTunnel t = new BoxTunnel(origin, new SshdSocketAddress(host, port));
            lease.session().getService(ConnectionService.class).registerChannel(t);
            t.addCloseFutureListener(f -> lease.close());
            return t;
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Writes stdin to {@code path} in the box. @return bytes written */
    public long upload(Box box, String path, InputStream in, OutputStream err) throws IOException {
        CountingInputStream counting = new CountingInputStream(in);
        int rc = exec(box, "cat > " + shellQuote(path), null, counting, OutputStream.nullOutputStream(), err, null);
        if (rc != 0) throw copyFailed(box, path, rc, "write");
        return counting.count;
    }

    /** Copies {@code path} in the box to {@code out}. @return bytes read */
    public long download(Box box, String path, OutputStream out, OutputStream err) throws IOException {
        CountingOutputStream counting = new CountingOutputStream(out);
        int rc = exec(box, "cat -- " + shellQuote(path), null, InputStream.nullInputStream(), counting, err, null);
        if (rc != 0) throw copyFailed(box, path, rc, "read");
        return counting.count;
    }

    private static BoxdException copyFailed(Box box, String path, int rc, String what) {
        return new BoxdException(ErrorCode.NOT_FOUND, "cannot " + what + " '" + path + "' in box '" + box.name()
                + "' (exit status " + rc + ")", "check the path with: exec " + box.name() + " -- ls -l " + shellQuote(path));
    }

    private int run(ClientChannel ch, Tty tty, InputStream in, OutputStream out, OutputStream err, Duration timeout)
            throws IOException {
        ch.setIn(new NoCloseInputStream(in));
        ch.setOut(new NoCloseOutputStream(out));
        ch.setErr(new NoCloseOutputStream(err));
        AutoCloseable resize = () -> { };
        try {
            ch.open().verify(connectTimeout);
            if (tty != null && ch instanceof org.apache.sshd.client.channel.PtyCapableChannelSession pty) {
                resize = tty.changes().subscribe((cols, lines) -> {
                    try {
                        pty.sendWindowChange(cols, lines);
                    } catch (IOException e) {
                        log.debug("window change not sent: {}", e.toString());
                    }
                });
            }
            // wait in slices, so that the user's session going away (the verb thread is interrupted) ends this too
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            while (true) {
                long left = Math.min(1000, (deadline - System.nanoTime()) / 1_000_000);
                Set<ClientChannelEvent> ev = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Math.max(1, left));
                if (ev.contains(ClientChannelEvent.CLOSED)) break;
                if (Thread.currentThread().isInterrupted()) {
                    ch.close(true);
                    return 130;
                }
                if (System.nanoTime() >= deadline) {
                    ch.close(false);
                    return TIMEOUT_EXIT;
                }
            }
            Integer status = ch.getExitStatus();
            if (status != null) return status;
            String signal = ch.getExitSignal();
            if (signal != null) {
                org.apache.sshd.server.Signal s = org.apache.sshd.server.Signal.get(signal);
                return 128 + (s == null ? 15 : s.getNumeric());
            }
            return 255;
        } finally {
            try {
                resize.close();
            } catch (Exception ignored) {
                // nothing to undo
            }
            ch.close(false);
            flushQuietly(out);
            flushQuietly(err);
        }
    }

    /** Flushes what the box sent; the user's side may already be gone (a closed terminal ends a connect). */
    private static void flushQuietly(OutputStream s) {
        try {
            s.flush();
        } catch (IOException e) {
            log.debug("relay output not flushed, the user's channel is closed: {}", e.toString());
        }
    }

    private static void configurePty(org.apache.sshd.client.channel.PtyCapableChannelSession ch, Tty tty) {
        ch.setUsePty(tty != null);
        if (tty == null) return;
        ch.setPtyType(tty.term());
        ch.setPtyColumns(tty.columns());
        ch.setPtyLines(tty.lines());
        if (!tty.modes().isEmpty()) ch.setPtyModes(tty.modes());
    }

    // ---- connections ----

    /**
     * Leases the box's shared connection. {@code session} channels (exec, shell, sftp) count toward
     * {@link #CHANNELS_PER_CONNECTION}, under the box sshd's MaxSessions; forwarded connections do not (MaxSessions
     * does not limit them), so many {@code -L} connections share one connection instead of each paying a handshake.
     */
    private Lease lease(Box box, boolean session) throws IOException {
        if (!box.isRunning()) throw notRunning(box);
        InetSocketAddress target = addressOf.apply(box);
        String key = box.id() + "@" + target;
        for (int attempt = 0; attempt < 2; attempt++) {
            Connection c = connections.computeIfAbsent(key, k -> new Connection());
            ClientSession s = c.sessionOrConnect(box, target);
            if (s == null) {
                connections.remove(key, c);
                continue;
            }
            if (session && c.sessions.incrementAndGet() > CHANNELS_PER_CONNECTION) {
                // the shared connection has as many sessions as the box's sshd allows: this one gets its own
                c.sessions.decrementAndGet();
                ClientSession own = connect(box, target);
                return new Lease(own, () -> own.close(false));
            }
            c.users.incrementAndGet();
            return new Lease(s, () -> {
                c.lastUsed = System.nanoTime();
                c.users.decrementAndGet();
                if (session) c.sessions.decrementAndGet();
            });
        }
        throw unreachable(box, target, "the connection closed while opening it");
    }

    public static BoxdException notRunning(Box box) {
        return new BoxdException(ErrorCode.CONFLICT, "box '" + box.name() + "' is not running (it is "
                + box.observed().label() + (box.desired() == boxd.common.DesiredState.RUNNING ? "" : ", " + box.desired().name().toLowerCase(java.util.Locale.ROOT)) + ")",
                "wait until 'info " + box.name() + "' shows running"
                        + (box.lastError().isEmpty() ? "" : "; last error: " + box.lastError()));
    }

    private BoxdException unreachable(Box box, InetSocketAddress target, String why) {
        return new BoxdException(ErrorCode.UNAVAILABLE, "cannot reach the sshd of box '" + box.name() + "' at "
                + target.getHostString() + ":" + target.getPort() + ": " + why,
                "try again in a moment; if it persists, 'reboot " + box.name() + "'");
    }

    private ClientSession connect(Box box, InetSocketAddress target) {
        SshClient c = client();
        ClientSession s = null;
        try {
            s = c.connect(loginUser, target).verify(connectTimeout).getSession();
            s.addPublicKeyIdentity(platformKey.keyPair());
            s.auth().verify(connectTimeout);
            return s;
        } catch (IOException | RuntimeException e) {
            if (s != null) s.close(true);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw unreachable(box, target, why);
        }
    }

    private SshClient client() {
        synchronized (startLock) {
            if (client == null) {
                SshClient c = SshClient.setUpDefaultClient();
                // boxes are reached by address on the worker's private bridge and re-created often, so their host keys
                // are accepted; quietly, since MINA's AcceptAllServerKeyVerifier logs a warning on every connection
                c.setServerKeyVerifier((session, remote, key) -> true);
                c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
                c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
                c.start();
                client = c;
                sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "boxd-relay-sweeper");
                    t.setDaemon(true);
                    return t;
                });
                sweeper.scheduleWithFixedDelay(this::closeIdle, 5, 5, TimeUnit.SECONDS);
            }
            return client;
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        connections.forEach((k, c) -> {
            if (c.users.get() == 0 && now - c.lastUsed > IDLE_CLOSE.toNanos()) {
                if (connections.remove(k, c)) c.close();
            }
        });
    }

    @Override
    public void close() {
        synchronized (startLock) {
            connections.values().forEach(Connection::close);
            connections.clear();
            if (sweeper != null) sweeper.shutdownNow();
            if (client != null) client.stop();
            client = null;
        }
    }

    /** {@code s} in single quotes for the box's POSIX shell. */
    public static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private final class Connection {
        /** Leases of any kind: the connection is idle (and may be closed) only at 0. */
        final AtomicInteger users = new AtomicInteger();
        /** Leases of session channels, which the box's sshd limits per connection. */
        final AtomicInteger sessions = new AtomicInteger();
        volatile long lastUsed = System.nanoTime();
        private ClientSession session;

        synchronized ClientSession sessionOrConnect(Box box, InetSocketAddress target) {
            if (session != null && (session.isClosing() || !session.isOpen())) return null;
            if (session == null) session = connect(box, target);
            return session;
        }

        synchronized void close() {
            if (session != null) session.close(false);
        }
    }

    private record Lease(ClientSession session, Runnable release) implements AutoCloseable {
        @Override
        public void close() { release.run(); }
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) { super(in); }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) { super(out); }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
