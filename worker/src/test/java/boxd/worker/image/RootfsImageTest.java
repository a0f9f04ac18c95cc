package boxd.worker.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RootfsImageTest {
    @TempDir
    Path tmp;

    @Test
    void onlyACompleteImageCountsAsBuilt() throws Exception {
        RootfsImage img = new RootfsImage(tmp);
        assertTrue(img.cached().isEmpty());
        // what an interrupted build leaves: a temp dir, never the final name
        Files.createDirectories(tmp.resolve(".tmp-rootfs-" + img.hash() + "-abc/root/etc"));
        assertTrue(img.cached().isEmpty());
        // a final dir without the COMPLETE marker (written last, before the rename) is not an image either
        Files.createDirectories(img.dir().resolve("root"));
        Files.writeString(img.dir().resolve("rootfs.ext4"), "x");
        assertTrue(img.cached().isEmpty());
        Files.writeString(img.dir().resolve("COMPLETE"), "hash " + img.hash());
        RootfsImage.Built b = img.cached().orElseThrow();
        assertEquals(img.dir().resolve("root"), b.root());
        assertEquals(img.dir().resolve("rootfs.ext4"), b.ext4());
        long t0 = System.nanoTime();
        assertEquals(b, img.ensure(RootfsImage.Listener.NONE), "a cache hit builds nothing");
        assertTrue(System.nanoTime() - t0 < 500_000_000L);
    }

    @Test
    void hashCoversSuitePackagesAndScript() {
        RootfsImage.Spec d = RootfsImage.Spec.defaults();
        assertEquals(16, RootfsImage.hashOf(d).length());
        assertNotEquals(RootfsImage.hashOf(d), RootfsImage.hashOf(new RootfsImage.Spec("trixie", d.packages(), d.mirror(), d.setupScript())));
        assertEquals(RootfsImage.hashOf(d), RootfsImage.hashOf(new RootfsImage.Spec(d.suite(), d.packages(), "http://mirror.example/debian",
                d.setupScript())), "the mirror does not change what is installed");
        assertTrue(d.packages().containsAll(java.util.List.of("openssh-server", "sudo", "iproute2", "curl", "ca-certificates",
                "python3", "git", "less", "vim-tiny")));
    }
}
