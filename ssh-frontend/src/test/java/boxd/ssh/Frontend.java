package boxd.ssh;

import boxd.common.Box;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.Json;
import boxd.common.ObservedState;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.control.ControlNode;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A real single-node control plane and an {@link SshFrontend} on 127.0.0.1 with a free port, driven with the real
 * OpenSSH client. Boxes never run here (no worker); {@link #markRunning} plays the worker's part for relay tests.
 */
final class Frontend implements AutoCloseable {
    final Path dir;
    final ControlNode control;
    final SshFrontend ssh;
    private final java.util.concurrent.ScheduledExecutorService worker =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

    private Frontend(Path dir, ControlNode control, SshFrontend ssh) {
        this.dir = dir;
        this.control = control;
        this.ssh = ssh;
    }

    static Frontend start(Path dir, AccountPolicy policy, int authFailuresPerMinute,
                          Function<Box, InetSocketAddress> boxSshd, String boxUser) throws Exception {
        Host.requireCommand("ssh", "openssh-client");
        ControlNode node = ControlNode.singleNode(dir.resolve("data"));
        node.start();
        SshFrontendConfig cfg = new SshFrontendConfig(new DataDir(dir.resolve("data")), "127.0.0.1", 0, policy,
                "boxd.test", Duration.ofSeconds(10), authFailuresPerMinute);
        SshFrontend f = new SshFrontend(cfg, node.client(), boxSshd == null ? BoxRelay_default() : boxSshd,
                boxUser == null ? SshFrontend.BOX_USER : boxUser);
        try {
            f.start();
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return new Frontend(dir, node, f);
    }

    private static Function<Box, InetSocketAddress> BoxRelay_default() {
        return boxd.ssh.relay.BoxRelay::boxSshd;
    }

    static Frontend start(Path dir) throws Exception {
        return start(dir, AccountPolicy.OPEN, 1000, null, null);
    }

    Control client() { return control.client(); }

    /** A fresh ed25519 key under the test directory. */
    Path key(String name) { return TestKeys.ed25519(dir.resolve("keys"), name); }

    List<String> sshArgv(Path key, String user, String... extra) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-p", String.valueOf(ssh.port()), "-i", key.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"));
        List<String> rest = new ArrayList<>(List.of(extra));
        // options before the destination, the command after it
        while (!rest.isEmpty() && rest.get(0).startsWith("-") && !rest.get(0).equals("--")) {
            String opt = rest.remove(0);
            argv.add(opt);
            if (opt.equals("-o") && !rest.isEmpty()) argv.add(rest.remove(0));
        }
        argv.add(user + "@127.0.0.1");
        argv.addAll(rest);
        return argv;
    }

    /** {@code scp} or {@code sftp} (which take the port as {@code -P}) with the same client options as {@link #sshArgv}. */
    List<String> fileClientArgv(String program, Path key, String... rest) {
        List<String> argv = new ArrayList<>(List.of(program, "-P", String.valueOf(ssh.port()), "-i", key.toString(),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"));
        argv.addAll(List.of(rest));
        return argv;
    }

    Cmd.Result run(Path key, String user, String... command) {
        return Cmd.run(sshArgv(key, user, command), null, 60, null);
    }

    Cmd.Result runIn(Path key, String user, byte[] stdin, String... command) {
        return Cmd.run(sshArgv(key, user, command), stdin, 60, null);
    }

    static Map<String, Object> json(Cmd.Result r) {
        return Json.parseObject(r.stdout().strip());
    }

    /** Plays the worker: the box is assigned and reported running. */
    Box markRunning(String owner, String name) {
        Control c = client();
        Box b = c.box(owner, name).orElseThrow();
        c.registerWorker("w-test", "127.0.0.1", 8, 8192);
        // keep the lease, or the box turns LOST
        worker.scheduleWithFixedDelay(() -> c.heartbeat("w-test"), 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        c.awaitBox(b.id(), x -> x.worker() != null, Duration.ofSeconds(10));
        c.reportBox(b.id(), ObservedState.RUNNING, "");
        return c.awaitBox(b.id(), Box::isRunning, Duration.ofSeconds(10)).orElseThrow();
    }

    @Override
    public void close() {
        worker.shutdownNow();
        ssh.close();
        control.close();
    }
}
