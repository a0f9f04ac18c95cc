package boxd.worker.testing;

import boxd.common.testing.Cmd;
import boxd.common.testing.TestNetns;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The OpenSSH client, run inside the test's network namespace, logging into a box as user boxd. */
public final class BoxSsh {
    private BoxSsh() {}

    public static Cmd.Result run(TestNetns ns, Path key, String ip, String command) {
        List<String> argv = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes", "boxd@" + ip, command));
        return Cmd.run(ns.wrap(argv), null, 60, null);
    }
}
