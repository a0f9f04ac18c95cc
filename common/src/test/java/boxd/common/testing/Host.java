package boxd.common.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Skips a test, with a message saying why, when this machine lacks what it needs. Never passes silently. */
public final class Host {
    private Host() {}

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static void requireRoot() {
        assumeTrue(isRoot(), "skipped: needs root (network namespaces, mounts, cgroups); run ./run-tests as root");
    }

    public static boolean hasCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) return true;
        }
        return Files.isExecutable(Path.of("/usr/sbin", name)) || Files.isExecutable(Path.of("/sbin", name));
    }

    public static void requireCommand(String name, String debianPackage) {
        assumeTrue(hasCommand(name), "skipped: '" + name + "' is not installed (apt-get install " + debianPackage
                + "; ./run-tests installs it)");
    }

    public static void requireKvm() {
        assumeTrue(Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")),
                "skipped: /dev/kvm is missing or not accessible on this machine");
    }
}
