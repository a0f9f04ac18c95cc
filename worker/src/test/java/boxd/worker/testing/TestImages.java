package boxd.worker.testing;

import boxd.common.testing.Host;
import boxd.worker.image.RootfsImage;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The root filesystem every worker test uses, built once per machine in a shared cache dir (env BOXD_TEST_IMAGES,
 * default /var/tmp/boxd-test-images) so later tests and other modules' end-to-end tests find it at once.
 */
public final class TestImages {
    private TestImages() {}

    public static Path dir() {
        String env = System.getenv("BOXD_TEST_IMAGES");
        return Path.of(env != null && !env.isBlank() ? env : "/var/tmp/boxd-test-images");
    }

    /** Builds (first time: minutes) or finds the default image; skips the test when the host cannot build it. */
    public static RootfsImage.Built rootfs() {
        Host.requireRoot();
        Host.requireCommand("debootstrap", "debootstrap");
        Host.requireCommand("mkfs.ext4", "e2fsprogs");
        return new RootfsImage(dir()).ensure((phase, elapsed) ->
                System.err.printf("[rootfs image %s] %s%n", fmt(elapsed), phase));
    }

    private static String fmt(Duration d) {
        return String.format("%d.%ds", d.toSeconds(), d.toMillisPart() / 100);
    }
}
