package boxd.proxy.testing;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 (a free port) standing in for a box's sshd: its own host key, public-key login
 * for the current user with one test key, nothing else. Stopped on close.
 */
public final class TestSshd implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path clientKey;

    public TestSshd(Path dir) throws IOException, InterruptedException {
        Host.requireRoot();
        Host.requireCommand("sshd", "openssh-server");
        Files.createDirectories(dir);
        Path hostKey = TestKeys.ed25519(dir, "ssh_host_ed25519_key");
        clientKey = TestKeys.ed25519(dir, "client");
        Path authorized = dir.resolve("authorized_keys");
        Files.writeString(authorized, TestKeys.publicLine(clientKey) + "\n");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "AuthorizedKeysFile " + authorized,
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"), "") );
        // sshd refuses to start without its privilege separation directory (normally made by the service unit)
        Files.createDirectories(Path.of("/run/sshd"));
        String sshd = Files.isExecutable(Path.of("/usr/sbin/sshd")) ? "/usr/sbin/sshd" : "sshd";
        Cmd.run(sshd, "-t", "-f", config.toString()).requireSuccess();
        process = new ProcessBuilder(sshd, "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IOException("sshd did not start listening on 127.0.0.1:" + port + "; see " + dir.resolve("sshd.log"));
    }

    public int port() { return port; }

    public Path clientKey() { return clientKey; }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
