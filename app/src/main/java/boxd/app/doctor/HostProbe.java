package boxd.app.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads {@link HostFacts} from this machine: /proc, /sys, /dev, a namespace probe and the data dir's file system. */
public final class HostProbe {
    private HostProbe() {}

    public static HostFacts read(Path dataDir) {
        Set<String> modules = new TreeSet<>();
        List<String> sources = new ArrayList<>();
        List<String> procModules = lines(Path.of("/proc/modules"));
        if (!procModules.isEmpty()) {
            sources.add("/proc/modules");
            for (String l : procModules) modules.add(l.split(" ", 2)[0]);
        }
        Path sysModule = Path.of("/sys/module");
        if (Files.isDirectory(sysModule)) {
            sources.add("/sys/module");
            try (Stream<Path> s = Files.list(sysModule)) {
                // /sys/module also lists built-in code with parameters; keep only the KVM ones, which is all we judge
                s.map(p -> p.getFileName().toString()).filter(n -> n.equals("kvm") || n.startsWith("kvm_")).forEach(modules::add);
            } catch (IOException ignored) {
                // unreadable: the list stays as /proc/modules gave it
            }
        }
        Path home = Path.of(System.getProperty("java.home"));
        Path measured = dataDir.toAbsolutePath();
        while (measured != null && !Files.exists(measured)) measured = measured.getParent();
        long free = -1;
        if (measured != null) {
            try {
                free = Files.getFileStore(measured).getUsableSpace();
            } catch (IOException ignored) {
                // stays unknown
            }
        }
        String[] cgroup = cgroup();
        return new HostFacts(cpuFlags(), modules, sources.isEmpty() ? "unreadable" : String.join(" + ", sources),
                device(Path.of("/dev/kvm")), Files.exists(Path.of("/dev/net/tun")), namespaces(),
                filesystems(), cgroup[0], cgroup[1].isEmpty() ? List.of() : List.of(cgroup[1].split(" ")),
                isRoot(), dataDir, free, measured == null ? Path.of("/") : measured,
                Runtime.version().toString(), home + " (" + System.getProperty("java.vendor") + ")");
    }

    static Set<String> cpuFlags() {
        for (String l : lines(Path.of("/proc/cpuinfo"))) {
            if (l.startsWith("flags")) {
                int colon = l.indexOf(':');
                return Set.copyOf(Arrays.asList(l.substring(colon + 1).strip().split("\\s+")));
            }
        }
        return Set.of();
    }

    private static HostFacts.DeviceState device(Path p) {
        if (!Files.exists(p)) return HostFacts.DeviceState.MISSING;
        return Files.isReadable(p) && Files.isWritable(p) ? HostFacts.DeviceState.ACCESSIBLE : HostFacts.DeviceState.NO_ACCESS;
    }

    private static Set<String> filesystems() {
        Set<String> out = new TreeSet<>();
        for (String l : lines(Path.of("/proc/filesystems"))) {
            String[] parts = l.strip().split("\\s+");
            out.add(parts[parts.length - 1]);
        }
        return out;
    }

    /** {@return {version, space-separated controllers}} */
    private static String[] cgroup() {
        Path v2 = Path.of("/sys/fs/cgroup/cgroup.controllers");
        if (Files.exists(v2)) {
            return new String[] {"v2", String.join(" ", lines(v2)).strip()};
        }
        List<String> controllers = new ArrayList<>();
        for (String l : lines(Path.of("/proc/cgroups"))) {
            if (l.startsWith("#")) continue;
            String[] f = l.split("\\s+");
            // subsys_name hierarchy num_cgroups enabled: hierarchy 0 means not mounted in any v1 hierarchy
            if (f.length >= 4 && !f[1].equals("0") && f[3].equals("1")) controllers.add(f[0]);
        }
        if (controllers.isEmpty()) return new String[] {"none", ""};
        String version = Files.exists(Path.of("/sys/fs/cgroup/unified/cgroup.controllers")) ? "hybrid" : "v1";
        return new String[] {version, String.join(" ", controllers)};
    }

    private static boolean isRoot() {
        for (String l : lines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) return l.split("\\s+")[1].equals("0");
        }
        return "root".equals(System.getProperty("user.name"));
    }

    /** Tries to make the namespaces an ns box needs, in a throw-away child that exits at once. */
    private static HostFacts.Probe namespaces() {
        List<String> argv = List.of("unshare", "--pid", "--fork", "--mount", "--uts", "--ipc", "--net", "true");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new HostFacts.Probe(false, String.join(" ", argv) + " did not finish in 10 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() == 0) return new HostFacts.Probe(true, String.join(" ", argv) + " succeeded");
            return new HostFacts.Probe(false, String.join(" ", argv) + " failed: " + out);
        } catch (IOException e) {
            return new HostFacts.Probe(false, "cannot run unshare (apt-get install util-linux): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HostFacts.Probe(false, "interrupted");
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
