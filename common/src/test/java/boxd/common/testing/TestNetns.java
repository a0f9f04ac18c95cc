package boxd.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace made by a test and deleted on close, with loopback up. Servers and clients of a test run
 * inside it ({@link #exec}), so nothing a test does reaches beyond this machine.
 */
public final class TestNetns implements AutoCloseable {
    private final String name;

    private TestNetns(String name) { this.name = name; }

    public static TestNetns create(String prefix) {
        Host.requireRoot();
        String name = prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        Cmd.run("ip", "netns", "add", name).requireSuccess();
        Cmd.run("ip", "-n", name, "link", "set", "lo", "up").requireSuccess();
        return new TestNetns(name);
    }

    public String name() { return name; }

    /** {@return argv prefixed with "ip netns exec NAME"} */
    public List<String> wrap(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(argv);
        return full;
    }

    public Cmd.Result exec(String... argv) { return Cmd.run(wrap(List.of(argv))); }

    @Override
    public void close() {
        // kill what still runs inside, then delete the namespace
        Cmd.run("sh", "-c", "for p in $(ip netns pids " + name + " 2>/dev/null); do kill -9 $p; done; true");
        Cmd.run("ip", "netns", "delete", name);
    }
}
