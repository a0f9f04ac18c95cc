package boxd.vmm.testing;

import boxd.common.DataDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the project's guest kernel: $BOXD_KERNEL, else a vmlinux or bzImage under the data dir's images/. */
public final class GuestKernel {
    private GuestKernel() {}

    public static Optional<Path> find() {
        String env = System.getenv("BOXD_KERNEL");
        if (env != null && !env.isBlank() && Files.isReadable(Path.of(env))) return Optional.of(Path.of(env));
        Path images = new DataDir(DataDir.defaultRoot()).images();
        if (!Files.isDirectory(images)) return Optional.empty();
        try (Stream<Path> s = Files.walk(images, 4)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.startsWith("vmlinux") || n.startsWith("bzImage")) && Files.isRegularFile(p);
            }).sorted((a, b) -> a.getFileName().toString().startsWith("vmlinux") ? -1 : 1).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static String missingMessage() {
        return "skipped: no guest kernel (set BOXD_KERNEL, or build one with 'boxd image build' into "
                + new DataDir(DataDir.defaultRoot()).images() + ")";
    }
}
