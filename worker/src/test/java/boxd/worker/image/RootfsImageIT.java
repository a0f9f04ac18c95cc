package boxd.worker.image;

import boxd.worker.HostCommand;
import boxd.worker.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RootfsImageIT {

    @Test
    void buildsOnceThenReturnsFromCacheAtOnce() throws Exception {
        RootfsImage.Built b = TestImages.rootfs();
        Path root = b.root();
        assertTrue(Files.isExecutable(root.resolve("usr/sbin/sshd")), "sshd installed");
        assertTrue(Files.isExecutable(root.resolve("usr/bin/sudo")), "sudo installed");
        assertTrue(Files.isExecutable(root.resolve("usr/bin/python3")), "python3 installed");
        assertTrue(Files.readString(root.resolve("etc/passwd")).contains("\nboxd:"), "user boxd exists");
        assertTrue(Files.readString(root.resolve("etc/sudoers.d/boxd")).contains("NOPASSWD:ALL"));
        String conf = Files.readString(root.resolve("etc/ssh/sshd_config.d/boxd.conf"));
        assertTrue(conf.contains("PasswordAuthentication no"), conf);
        try (var s = Files.list(root.resolve("etc/ssh"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("ssh_host_")), "no host keys baked in");
        }
        assertTrue(Files.size(b.ext4()) > 100 << 20, "ext4 image written");
        assertTrue(HostCommand.run("dumpe2fs", "-h", b.ext4().toString()).stdout().contains("boxd-root"), "ext4 label");

        List<String> phases = new ArrayList<>();
        long t0 = System.nanoTime();
        RootfsImage.Built again = new RootfsImage(TestImages.dir()).ensure((p, e) -> phases.add(p));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(b, again);
        assertTrue(ms < 500, "cached ensure took " + ms + " ms");
        assertTrue(phases.isEmpty(), "no build phases on a cache hit: " + phases);
    }
}
