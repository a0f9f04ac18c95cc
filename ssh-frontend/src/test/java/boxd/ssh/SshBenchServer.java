package boxd.ssh;

import boxd.common.DataDir;
import boxd.control.ControlNode;

import java.nio.file.Path;
import java.time.Duration;

/**
 * For bench/ssh/run.sh: a single-node control plane and the SSH frontend on 127.0.0.1:PORT over DATA_DIR. Prints
 * "READY" once it accepts connections and runs until its stdin closes.
 */
public final class SshBenchServer {
    private SshBenchServer() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        try (ControlNode node = ControlNode.singleNode(data)) {
            node.start();
            SshFrontendConfig cfg = new SshFrontendConfig(new DataDir(data), "127.0.0.1", port, AccountPolicy.OPEN,
                    "boxd.bench", Duration.ofSeconds(10), 1000);
            try (SshFrontend f = new SshFrontend(cfg, node.client())) {
                f.start();
                System.out.println("READY " + f.port());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // run until the script closes our stdin
                }
            }
        }
    }
}
