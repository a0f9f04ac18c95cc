package boxd.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import boxd.ssh.verbs.VerbRouter;

/**
 * Runs a user verb ({@code boxd list}, {@code boxd new --name=web}) on the local server exactly as a remote user
 * would: through the OpenSSH client, {@code ssh -p PORT localhost VERB ARGS...}, with the terminal and the exit status
 * passed through. So the host's CLI and {@code ssh -p 2222 HOST VERB} can never disagree.
 */
public final class UserVerbCommand {
    /** The frontend's own verb names (aliases included), less "help", which the local CLI answers itself. */
    public static final Set<String> VERBS = VerbRouter.standard().names().stream()
            .filter(n -> !n.equals("help")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private UserVerbCommand() {}

    /** {@return the ssh command line for {@code verbArgs} against localhost:port} */
    public static List<String> argv(int port, List<String> verbArgs, boolean tty) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port),
                "-o", "StrictHostKeyChecking=accept-new", "-o", "LogLevel=ERROR"));
        if (tty) argv.add("-t");
        argv.add("localhost");
        for (String a : verbArgs) argv.add(shellQuote(a));
        return argv;
    }

    /** Runs it with the terminal inherited; returns ssh's exit status (255: ssh itself failed). */
    public static int run(int port, List<String> verbArgs, PrintStream err) {
        List<String> argv = argv(port, verbArgs, stdinIsTerminal() && verbArgs.size() >= 1
                && Set.of("connect", "ssh", "dash", "top").contains(verbArgs.get(0)));
        try {
            Process p = new ProcessBuilder(argv).inheritIO().start();
            int status = p.waitFor();
            if (status == 255) {
                err.println("boxd: ssh could not reach the boxd server on localhost port " + port
                        + " (is `boxd serve` running? another port: boxd --ssh-port PORT " + verbArgs.get(0) + ")");
            }
            return status;
        } catch (IOException e) {
            err.println("boxd: cannot run the OpenSSH client: " + e.getMessage() + " (apt-get install openssh-client)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** ssh joins its arguments with spaces into one remote command line, so each word is quoted for the far side. */
    static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
