package boxd.ssh;

import boxd.common.Box;
import boxd.common.Control;
import boxd.common.PlatformKey;
import boxd.common.Role;
import boxd.ssh.auth.AuthRateLimiter;
import boxd.ssh.auth.ControlPublickeyAuthenticator;
import boxd.ssh.relay.BoxRelay;
import boxd.ssh.shell.BoxdShellFactory;
import boxd.ssh.verbs.DirectTcpipRelayFactory;
import boxd.ssh.verbs.SftpRelayFactory;
import boxd.ssh.verbs.VerbCommandFactory;
import boxd.ssh.verbs.VerbRouter;
import boxd.ssh.verbs.VerbServices;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The SSH front door (role "ssh"): a MINA SSHD server with public-key authentication only, host keys (ed25519 and
 * RSA) kept in the data dir, modern algorithms only, every verb on exec channels, the prompt on shell channels, and
 * the relay into boxes.
 */
public final class SshFrontend implements Role {
    private static final Logger log = LoggerFactory.getLogger(SshFrontend.class);
    /** Login user of every box's sshd (the worker creates it with the platform key authorized). */
    public static final String BOX_USER = "boxd";

    private final SshFrontendConfig config;
    private final Control control;
    private final Function<Box, InetSocketAddress> boxSshd;
    private final String boxUser;
    private SshServer server;
    private BoxRelay relay;
    private ExecutorService threads;

    public SshFrontend(SshFrontendConfig config, Control control) {
        this(config, control, BoxRelay::boxSshd, BOX_USER);
    }

    /**
     * @param boxSshd where a box's sshd listens (production: {@code ipv4:22}); tests point it at an sshd of their own
     * @param boxUser the user to log into boxes as (production: {@value #BOX_USER})
     */
    public SshFrontend(SshFrontendConfig config, Control control, Function<Box, InetSocketAddress> boxSshd, String boxUser) {
        this.config = config;
        this.control = control;
        this.boxSshd = boxSshd;
        this.boxUser = boxUser;
    }

    @Override
    public String name() { return "ssh"; }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) return;
        if (!SecurityUtils.isEDDSACurveSupported()) {
            throw new IllegalStateException("ed25519 is not available: net.i2p.crypto:eddsa is missing from the class path");
        }
        config.dataDir().create();
        KeyPairProvider hostKeys = hostKeys();
        PlatformKey platformKey = PlatformKey.loadOrCreate(config.dataDir().keys());
        relay = new BoxRelay(platformKey, boxUser, boxSshd, config.relayConnectTimeout());
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "boxd-ssh-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });

        SshServer s = SshServer.setUpDefaultServer();
        s.setHost(config.bindAddress());
        s.setPort(config.port());
        s.setKeyPairProvider(hostKeys);
        restrictAlgorithms(s);

        ControlPublickeyAuthenticator accounts = new ControlPublickeyAuthenticator(control, config.policy(), this::hostHint);
        // public key only: the default server also reads ~/.ssh/authorized_keys and offers keyboard-interactive
        s.setPasswordAuthenticator(null);
        s.setKeyboardInteractiveAuthenticator(null);
        s.setGSSAuthenticator(null);
        s.setHostBasedAuthenticator(null);
        s.setPublickeyAuthenticator(accounts);
        s.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        s.setAgentFactory(null);
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(s, 10);
        CoreModuleProperties.AUTH_TIMEOUT.set(s, Duration.ofSeconds(30));
        // a prompt left open is fine; a dead connection is found by the TCP keepalive of the client
        CoreModuleProperties.IDLE_TIMEOUT.set(s, Duration.ofHours(12));
        CoreModuleProperties.SERVER_IDENTIFICATION.set(s, "boxd");

        AuthRateLimiter limiter = new AuthRateLimiter(config.authFailuresPerMinute());
        s.setIoServiceEventListener(new IoServiceEventListener() {
            @Override
            public void connectionAccepted(IoAcceptor acceptor, SocketAddress local, SocketAddress remote, SocketAddress service)
                    throws IOException {
                if (remote instanceof InetSocketAddress r && limiter.isBlocked(r.getAddress())) {
                    throw new IOException("too many failed logins from " + r.getAddress().getHostAddress());
                }
            }
        });
        s.addSessionListener(new SessionListener() {
            @Override
            public void sessionClosed(Session session) {
                if (session instanceof ServerSession ss && !ss.isAuthenticated()
                        && ss.getClientAddress() instanceof InetSocketAddress r) {
                    limiter.recordFailure(r.getAddress());
                }
            }
        });

        VerbRouter router = VerbRouter.standard();
        VerbServices services = new VerbServices(control, relay, config.zone(), config.policy(),
                BoxdShellFactory.dashboard());
        s.setCommandFactory(new VerbCommandFactory(accounts, router, services, threads));
        s.setSubsystemFactories(List.of(new SftpRelayFactory(accounts, services, threads)));
        // session channels and ssh -L/-W into the caller's box (relayed, never connected from here); no -R, agent or X11
        s.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE, new DirectTcpipRelayFactory(accounts, services, threads)));
        s.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        s.setShellFactory(new BoxdShellFactory(accounts, router, services, threads,
                config.dataDir().root().resolve("history")));
        try {
            s.start();
        } catch (IOException e) {
            threads.shutdownNow();
            relay.close();
            throw new IOException("cannot listen for SSH on " + config.bindAddress() + ":" + config.port() + ": "
                    + e.getMessage() + " (choose another port with --ssh-port)", e);
        }
        server = s;
        publishPlatformKey(platformKey.authorizedKeyLine());
        log.info("{}", describe());
    }

    /**
     * Records this frontend's platform key in the control plane, so workers on every host let it into their boxes;
     * retried in the background while no leader takes writes (a joining host, an election).
     */
    private void publishPlatformKey(String line) {
        ExecutorService t = threads;
        t.execute(() -> {
            for (long wait = 200; !Thread.currentThread().isInterrupted(); wait = Math.min(wait * 2, 10_000)) {
                try {
                    control.addPlatformKey(line);
                    return;
                } catch (RuntimeException e) {
                    log.debug("platform key not recorded yet, retrying in {} ms: {}", wait, e.toString());
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;  // closing
                }
            }
        });
    }

    /** {@return the port actually bound (useful with port 0)} */
    public int port() {
        SshServer s = server;
        return s == null ? config.port() : s.getPort();
    }

    @Override
    public String describe() {
        return "ssh on " + config.bindAddress() + ":" + port() + " (accounts: " + config.policy().name().toLowerCase(java.util.Locale.ROOT)
                + ", zone " + config.zone() + ")";
    }

    /** {@return how users reach this server, for hints: "ssh -p 2222 HOST" (the zone when bound to all addresses)} */
    private String hostHint() {
        String host = config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::") ? config.zone() : config.bindAddress();
        return port() == 22 ? "ssh " + host : "ssh -p " + port() + " " + host;
    }

    private KeyPairProvider hostKeys() {
        List<KeyPair> keys = new ArrayList<>();
        SimpleGeneratorHostKeyProvider ed = new SimpleGeneratorHostKeyProvider(config.dataDir().keys().resolve("ssh_host_ed25519_key"));
        ed.setAlgorithm(SecurityUtils.EDDSA);
        SimpleGeneratorHostKeyProvider rsa = new SimpleGeneratorHostKeyProvider(config.dataDir().keys().resolve("ssh_host_rsa_key"));
        rsa.setAlgorithm("RSA");
        rsa.setKeySize(3072);
        for (SimpleGeneratorHostKeyProvider p : List.of(ed, rsa)) {
            p.setOverwriteAllowed(false);
            for (KeyPair kp : p.loadKeys(null)) keys.add(kp);
        }
        return KeyPairProvider.wrap(keys);
    }

    /** Modern algorithms only, in order of preference; entries the JVM cannot do are left out. */
    private static void restrictAlgorithms(SshServer s) {
        List<KeyExchangeFactory> kex = new ArrayList<>();
        for (BuiltinDHFactories f : List.of(BuiltinDHFactories.sntrup761x25519_openssh, BuiltinDHFactories.curve25519,
                BuiltinDHFactories.curve25519_libssh, BuiltinDHFactories.ecdhp256, BuiltinDHFactories.ecdhp384,
                BuiltinDHFactories.ecdhp521)) {
            if (f.isSupported()) kex.add(ServerBuilder.DH2KEX.apply(f));
        }
        s.setKeyExchangeFactories(kex);
        List<NamedFactory<Cipher>> ciphers = new ArrayList<>();
        for (BuiltinCiphers c : List.of(BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes256gcm, BuiltinCiphers.aes128gcm,
                BuiltinCiphers.aes256ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes128ctr)) {
            if (c.isSupported()) ciphers.add(c);
        }
        s.setCipherFactories(ciphers);
        List<NamedFactory<Mac>> macs = new ArrayList<>();
        for (BuiltinMacs m : List.of(BuiltinMacs.hmacsha256etm, BuiltinMacs.hmacsha512etm)) {
            if (m.isSupported()) macs.add(m);
        }
        s.setMacFactories(macs);
        List<NamedFactory<Signature>> sigs = new ArrayList<>();
        for (BuiltinSignatures g : List.of(BuiltinSignatures.ed25519, BuiltinSignatures.sk_ssh_ed25519,
                BuiltinSignatures.nistp256, BuiltinSignatures.nistp384, BuiltinSignatures.nistp521,
                BuiltinSignatures.sk_ecdsa_sha2_nistp256, BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256)) {
            if (g.isSupported()) sigs.add(g);
        }
        s.setSignatureFactories(sigs);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                log.debug("ssh server stop: {}", e.toString());
            }
            server = null;
        }
        if (relay != null) relay.close();
        relay = null;
        if (threads != null) threads.shutdownNow();
        threads = null;
    }
}
