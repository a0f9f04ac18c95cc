package boxd.worker;

import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.worker.net.BoxNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class WorkerConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsComeFromTheHostAndThePool() {
        WorkerConfig c = WorkerConfig.defaults(new DataDir(tmp));
        assertEquals("ns", c.runtime());
        assertEquals("boxd0", c.bridge());
        assertEquals("10.77.0.1", c.gateway(), "gateway = first address of the pool");
        assertEquals(16, c.prefixLength());
        assertFalse(c.egress(), "egress off by default");
        assertNull(c.netns());
        assertEquals(new DataDir(tmp).images(), c.imagesDir());
        assertTrue(c.cpus() >= 1 && c.memoryMb() > 0);
        assertEquals(c.workerId(), WorkerConfig.defaults(new DataDir(tmp)).workerId(), "stable worker id across restarts");
    }

    @Test
    void gatewayFollowsTheConfiguredPool() {
        WorkerConfig c = new WorkerConfig(new DataDir(tmp), "w", "ns", "br1", "192.168.40.0/24", null, null, false, 1, 512,
                null, null, null, null);
        assertEquals("192.168.40.1", c.gateway());
        assertEquals(24, c.network().prefixLength());
        assertEquals("br1", c.network().bridge());
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        DataDir d = new DataDir(tmp);
        BoxdException e = assertThrows(BoxdException.class, () -> new WorkerConfig(d, "w", "docker", "b", "10.0.0.0/8", null,
                null, false, 1, 1, null, null, null, null));
        assertTrue(e.hint().contains("--runtime=ns"), e.hint());
        assertThrows(BoxdException.class, () -> new WorkerConfig(d, "w", "ns", "b", "10.0.0.0", null, null, false, 1, 1,
                null, null, null, null));
        assertThrows(BoxdException.class, () -> new BoxNetwork("a-bridge-name-too-long", "10.0.0.1", 16, null, false));
    }

    @Test
    void guestKernelIsWhereImageBuildLeavesItUnlessConfigured() throws Exception {
        WorkerConfig c = WorkerConfig.defaults(new DataDir(tmp)).withRuntime("vm");
        java.nio.file.Path current = tmp.resolve("images/kernel/current");
        assertEquals(current.resolve("bzImage"), c.guestKernel(), "nothing built yet: the bzImage path, for the message");
        java.nio.file.Files.createDirectories(current);
        java.nio.file.Files.writeString(current.resolve("vmlinux"), "elf");
        assertEquals(current.resolve("vmlinux"), c.guestKernel(), "vmlinux preferred");
        assertEquals(tmp.resolve("k"), c.withKernel(tmp.resolve("k")).guestKernel(), "configured path wins");
        assertEquals(tmp.resolve("k"), c.withKernel(tmp.resolve("k")).withNetns("x").kernel(), "kept by the with* copies");
    }

    @Test
    void networkHelpers() {
        assertEquals("10.77.0.0", BoxNetwork.networkAddress("10.77.3.9", 16));
        assertEquals("vb0123456789ab", BoxNetwork.vethName("b-0123456789ab"));
        assertTrue(BoxNetwork.vethName("b-0123456789abcdef").length() <= 15);
        BoxNetwork n = new BoxNetwork("boxd0", "10.77.0.1", 16, "testns", false);
        assertEquals(java.util.List.of("ip", "-n", "testns", "link", "show"), n.ip("link", "show"));
        assertEquals(java.util.List.of("ip", "netns", "exec", "testns", "true"), n.inNetns(java.util.List.of("true")));
        assertEquals(java.util.List.of("ip", "link"), new BoxNetwork("boxd0", "10.77.0.1", 16, null, false).ip("link"));
    }
}
