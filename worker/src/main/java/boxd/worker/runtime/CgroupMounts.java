package boxd.worker.runtime;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.worker.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes the host's cgroup hierarchies visible at {@code /sys/fs/cgroup} in this mount namespace when they are not.
 * {@code ip netns exec} runs its command in a new mount namespace with a fresh sysfs on {@code /sys}, which hides the
 * cgroup file systems mounted under it, so a worker started that way (how demos and tests keep boxes inside a network
 * namespace) would find no cgroups. The hierarchies are the host's own, read from PID 1's mount table and mounted again
 * with the same controllers: v1 hierarchies may be mounted in several places, and all of them are the same tree.
 */
public final class CgroupMounts {
    /** The v1 controllers boxes are limited with. */
    static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids");

    private CgroupMounts() {}

    /** A cgroup file system of PID 1's mount namespace: {@code cgroup2}, or a v1 hierarchy with its controllers. */
    record Hierarchy(String fsType, Path mountPoint, List<String> options) {
        boolean isV2() { return fsType.equals("cgroup2"); }
    }

    /**
     * {@return the cgroup file systems in a {@code /proc/PID/mountinfo} text} The line format: mount id, parent id,
     * major:minor, root, mount point, mount options, optional fields, {@code -}, file system type, source, super options.
     */
    static List<Hierarchy> parse(List<String> mountinfo) {
        List<Hierarchy> res = new ArrayList<>();
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 6 || f.length < dash + 4) continue;
            String type = f[dash + 1];
            if (!type.equals("cgroup") && !type.equals("cgroup2")) continue;
            List<String> opts = new ArrayList<>();
            for (String o : f[dash + 3].split(",")) if (!o.equals("rw") && !o.equals("ro")) opts.add(o);
            res.add(new Hierarchy(type, Path.of(unescape(f[4])), opts));
        }
        return res;
    }

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * What {@link #mountMissing} would run to give {@code base} the hierarchies boxes need, as argv lists, in order;
     * empty when {@code base} already has them.
     *
     * @param host the hierarchies of the host's mount namespace ({@link #parse} of {@code /proc/1/mountinfo})
     */
    static List<List<String>> plan(Path base, List<Hierarchy> host) {
        if (Files.exists(base.resolve("cgroup.controllers"))) return List.of();
        if (CONTROLLERS.stream().allMatch(c -> Files.isDirectory(base.resolve(c)))) return List.of();
        Path hostBase = Path.of("/sys/fs/cgroup");
        List<List<String>> steps = new ArrayList<>();
        for (Hierarchy h : host) {
            if (h.isV2() && h.mountPoint().equals(hostBase)) {
                steps.add(List.of("mount", "-t", "cgroup2", "cgroup2", base.toString()));
                return steps;
            }
        }
        if (!isMountPoint(base)) steps.add(List.of("mount", "-t", "tmpfs", "-o", "mode=755", "cgroup", base.toString()));
        Set<String> covered = new LinkedHashSet<>();
        for (Hierarchy h : host) {
            if (h.isV2() || !h.mountPoint().startsWith(hostBase)) continue;
            List<String> wanted = h.options().stream().filter(CONTROLLERS::contains).toList();
            if (wanted.isEmpty() || covered.containsAll(wanted)) continue;
            Path target = base.resolve(h.mountPoint().getFileName().toString());
            if (Files.isDirectory(target) && isMountPoint(target)) {
                covered.addAll(wanted);
                continue;
            }
            steps.add(List.of("mkdir", "-p", target.toString()));
            steps.add(List.of("mount", "-t", "cgroup", "-o", String.join(",", h.options()), "cgroup", target.toString()));
            // systemd mounts "cpu,cpuacct" and links cpu and cpuacct to it: the boxes' paths name single controllers
            for (String c : wanted) {
                if (!target.getFileName().toString().equals(c))
                    steps.add(List.of("ln", "-sfn", target.getFileName().toString(), base.resolve(c).toString()));
            }
            covered.addAll(wanted);
        }
        if (!covered.containsAll(CONTROLLERS))
            throw new BoxdException(ErrorCode.INTERNAL, "the host has no cgroup hierarchy for "
                    + CONTROLLERS.stream().filter(c -> !covered.contains(c)).toList() + " (cgroup v1, none in /proc/1/mountinfo)",
                    "mount them on the host (mount -t cgroup -o CONTROLLER cgroup /sys/fs/cgroup/CONTROLLER) or boot with cgroup v2");
        return steps;
    }

    /**
     * Mounts at {@code base} the host's hierarchies that boxes need, when this mount namespace lacks them.
     * @return the commands that ran (empty when nothing was missing)
     */
    public static List<String> mountMissing(Path base) {
        List<String> mountinfo;
        try {
            mountinfo = Files.readAllLines(Path.of("/proc/1/mountinfo"));
        } catch (IOException e) {
            return List.of();  // not root, or no procfs: Cgroups reports what is missing when a box is made
        }
        List<String> ran = new ArrayList<>();
        for (List<String> argv : plan(base, parse(mountinfo))) {
            HostCommand.run(argv, null, Duration.ofSeconds(20)).orThrow("making the host's cgroups visible at " + base,
                    "start the worker in the host's mount namespace (nsenter --net=/run/netns/NAME instead of ip netns exec)");
            ran.add(String.join(" ", argv));
        }
        return ran;
    }

    private static boolean isMountPoint(Path p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && Path.of(unescape(f[4])).equals(p.toAbsolutePath().normalize())) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
