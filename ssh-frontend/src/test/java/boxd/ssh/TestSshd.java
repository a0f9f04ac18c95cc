package boxd.ssh;

import boxd.common.testing.Cmd;
import boxd.common.testing.Host;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real OpenSSH sshd on 127.0.0.1 and a free high port, standing in for a box's sshd: its own host key, and an
 * AuthorizedKeysFile holding only the platform key. Logins are as the user running the test.
 */
final class TestSshd implements AutoCloseable {
    final int port;
    private final Process process;

    private TestSshd(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static TestSshd start(Path dir, String authorizedKeyLine) throws Exception {
        Host.requireCommand("sshd", "openssh-server");
        Host.requireRoot();
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory sshd insists on
        Path hostKey = dir.resolve("host_ed25519");
        Cmd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()).requireSuccess();
        Path home = Files.createDirectories(dir.resolve("home"));
        Path auth = dir.resolve("authorized_keys");
        Files.writeString(auth, authorizedKeyLine + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("sshd_config");
        Files.writeString(cfg, String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + auth,
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "UsePAM no",
                "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"),
                "MaxSessions 10",
                "AllowTcpForwarding yes", // as a box's sshd (OpenSSH's default): ssh -L/-W through the frontend need it
                "Subsystem sftp " + sftpServerPath(),
                // a quiet home: the login shell must not run this machine's own ~/.profile and ~/.bashrc
                "SetEnv HOME=" + home + " SHLVL=1",
                "") );
        Process p = new ProcessBuilder(List.of(sshdPath(), "-D", "-e", "-f", cfg.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("test sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(50);
            }
        }
        return new TestSshd(port, p);
    }

    /** Debian's sftp-server (package openssh-sftp-server, which openssh-server depends on), as a box's sshd has it. */
    private static String sftpServerPath() {
        return Files.isExecutable(Path.of("/usr/lib/openssh/sftp-server")) ? "/usr/lib/openssh/sftp-server" : "internal-sftp";
    }

    private static String sshdPath() {
        return Files.isExecutable(Path.of("/usr/sbin/sshd")) ? "/usr/sbin/sshd" : "sshd";
    }

    InetSocketAddress address() { return new InetSocketAddress("127.0.0.1", port); }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
