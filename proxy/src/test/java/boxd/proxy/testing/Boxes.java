package boxd.proxy.testing;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;

/** Box records for unit tests. */
public final class Boxes {
    private Boxes() {}

    public static Box running(String id, String name, String ipv4, int sshPort) {
        return new Box(id, name, "alice", BoxSpec.DEFAULT, DesiredState.RUNNING, ObservedState.RUNNING, "w1", ipv4,
                sshPort, 0, 0, "");
    }

    public static Box pending(String id, String name, String ipv4, int sshPort) {
        return new Box(id, name, "alice", BoxSpec.DEFAULT, DesiredState.RUNNING, ObservedState.PENDING, null, ipv4,
                sshPort, 0, 0, "");
    }
}
