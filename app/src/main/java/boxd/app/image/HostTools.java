package boxd.app.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds the host commands and files a build needs, so a missing one is reported by its Debian package name. */
public final class HostTools {
    private static final List<String> BIN_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private HostTools() {}

    /** A requirement: a command on PATH or an absolute file, and the package that provides it. */
    public record Need(String commandOrPath, String debianPackage) {}

    public static boolean present(String commandOrPath) {
        if (commandOrPath.startsWith("/")) return Files.exists(Path.of(commandOrPath));
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(BIN_DIRS);
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, commandOrPath))) return true;
        }
        return false;
    }

    /** {@return the packages of the needs that are not met, each once, in order} */
    public static List<String> missingPackages(List<Need> needs) {
        Set<String> missing = new LinkedHashSet<>();
        for (Need n : needs) {
            if (!present(n.commandOrPath())) missing.add(n.debianPackage());
        }
        return List.copyOf(missing);
    }

    /** {@return the sentence telling the user what to install, or "" when nothing is missing} */
    public static String missingMessage(String artifact, List<String> packages) {
        if (packages.isEmpty()) return "";
        return "cannot build the " + artifact + ": missing host packages: " + String.join(" ", packages)
                + " (install them with: apt-get install " + String.join(" ", packages)
                + "; ./run-tests installs everything listed in .ci/packages)";
    }
}
