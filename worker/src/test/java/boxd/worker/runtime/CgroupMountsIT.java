package boxd.worker.runtime;

import boxd.common.testing.Host;
import boxd.common.testing.TestNetns;
import boxd.worker.testing.CgroupProbeMain;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A worker started with {@code ip netns exec} (how boxd is run inside a test's or a demo's network namespace) lives in
 * a mount namespace whose fresh sysfs hides the host's cgroups. The probe process is started the same way and must
 * still make a box cgroup, in the host's own hierarchy.
 */
class CgroupMountsIT {
    @Test
    void aProcessWithAFreshSysfsGetsTheHostsCgroupsBack() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ip", "iproute2");
        String id = "b-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = List.of(java, "-cp", System.getProperty("java.class.path"), CgroupProbeMain.class.getName(), id);
        try (TestNetns ns = TestNetns.create("bxw-cgm")) {
            probe(ns.wrap(argv), id);
        }
    }

    private static void probe(List<String> argv, String id) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        Cgroups host = new Cgroups();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = p.getOutputStream()) {
            List<String> lines = new ArrayList<>();
            for (String l; (l = out.readLine()) != null; ) {
                lines.add(l);
                if (l.startsWith("created ")) break;
            }
            String all = String.join("\n", lines);
            assertTrue(all.contains("visible before: false"), "the fresh sysfs hides the host's cgroups (" + argv + "):\n" + all);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("mount commands: ") && !l.endsWith(" 0")), all);
            assertTrue(all.contains("memory limit: " + (64L << 20)), all);
            // what the probe made is in the host's hierarchy, not in a look-alike directory
            assertTrue(host.list().contains(id), "the host sees cgroup " + id + ":\n" + all);
            assertEquals(64L << 20, host.memoryLimit(id));

            in.write("done\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            for (String l; (l = out.readLine()) != null; ) lines.add(l);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), String.join("\n", lines));
            assertTrue(lines.contains("destroyed: true"), String.join("\n", lines));
        } finally {
            p.destroyForcibly();
            if (host.list().contains(id)) host.destroy(id);
        }
        assertFalse(host.list().contains(id));
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory/boxd", id)));
    }
}
