package boxd.tui.testing;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;

/** Box records for tests. */
public final class Boxes {
    private Boxes() {}

    /** {@return a box owned by alice, updated {@code upSeconds} before {@code now}} */
    public static Box box(String name, ObservedState state, String ip, long now, long upSeconds) {
        return new Box("b-" + Integer.toHexString(name.hashCode()), name, "alice", new BoxSpec(2, 2048, 10, null),
                DesiredState.RUNNING, state, "w-1", ip, 10022, now - 86_400_000L, now - upSeconds * 1000, "");
    }
}
