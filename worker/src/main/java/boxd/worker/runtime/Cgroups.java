package boxd.worker.runtime;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One cgroup per box, limiting CPU, memory and pids: {@code boxd/<id>} under each of the v1 controllers cpu, memory
 * and pids, or under the unified v2 tree when {@code /sys/fs/cgroup} is cgroup2.
 */
public final class Cgroups {
    private final Path base;
    private final boolean v2;

    public Cgroups(Path base) {
        this.base = base;
        this.v2 = Files.exists(base.resolve("cgroup.controllers"));
    }

    public Cgroups() { this(Path.of("/sys/fs/cgroup")); }

    public boolean isV2() { return v2; }

    /** {@return the directories of the box's cgroup, one per controller (v1) or one (v2)} */
    public List<Path> dirs(String boxId) {
        if (v2) return List.of(base.resolve("boxd").resolve(boxId));
        return List.of(base.resolve("cpu/boxd").resolve(boxId), base.resolve("memory/boxd").resolve(boxId),
                base.resolve("pids/boxd").resolve(boxId));
    }

    /** Creates the box's cgroup with its limits. */
    public void create(String boxId, int cpus, int memoryMb, int maxPids) {
        try {
            if (v2) {
                Path parent = base.resolve("boxd");
                createDirs(parent);
                write(base.resolve("cgroup.subtree_control"), "+cpu +memory +pids", true);
                write(parent.resolve("cgroup.subtree_control"), "+cpu +memory +pids", false);
                Path d = parent.resolve(boxId);
                createDirs(d);
                write(d.resolve("cpu.max"), (cpus * 100_000L) + " 100000", false);
                write(d.resolve("memory.max"), Long.toString(memoryMb * 1024L * 1024L), false);
                write(d.resolve("pids.max"), Integer.toString(maxPids), false);
            } else {
                for (String c : List.of("cpu", "memory", "pids")) {
                    if (!Files.isDirectory(base.resolve(c)))
                        throw new BoxdException(ErrorCode.INTERNAL, "cgroup v1 controller '" + c + "' is not mounted at "
                                + base.resolve(c), "mount it (mount -t cgroup -o " + c + " cgroup " + base.resolve(c) + ")");
                }
                Path cpu = base.resolve("cpu/boxd").resolve(boxId);
                Path mem = base.resolve("memory/boxd").resolve(boxId);
                Path pids = base.resolve("pids/boxd").resolve(boxId);
                for (Path d : List.of(cpu, mem, pids)) createDirs(d);
                write(cpu.resolve("cpu.cfs_period_us"), "100000", false);
                write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(cpus * 100_000L), false);
                write(mem.resolve("memory.limit_in_bytes"), Long.toString(memoryMb * 1024L * 1024L), false);
                write(pids.resolve("pids.max"), Integer.toString(maxPids), false);
            }
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot set up the cgroup of box " + boxId + ": " + e.getMessage(),
                    "the worker needs root and a writable /sys/fs/cgroup", e);
        }
    }

    /** {@return a shell snippet moving the shell ($$) into the box's cgroup, to run before exec'ing the box} */
    public String joinSnippet(String boxId) {
        StringBuilder sb = new StringBuilder();
        for (Path d : dirs(boxId)) sb.append("echo $$ > '").append(d.resolve("cgroup.procs")).append("' && ");
        return sb.toString();
    }

    /** {@return pids of every process in the box's cgroup} */
    public List<Long> pids(String boxId) {
        List<Long> res = new ArrayList<>();
        for (Path d : dirs(boxId)) {
            Path procs = d.resolve("cgroup.procs");
            if (!Files.exists(procs)) continue;
            try {
                for (String l : Files.readAllLines(procs)) if (!l.isBlank()) res.add(Long.parseLong(l.strip()));
            } catch (IOException | NumberFormatException ignored) {
                // gone while reading
            }
        }
        return res.stream().distinct().toList();
    }

    /** Kills every process in the box's cgroup and removes the cgroup; waits up to a few seconds for them to go. */
    public void destroy(String boxId) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<Long> pids = pids(boxId);
            if (pids.isEmpty()) break;
            for (long p : pids) ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
            if (System.nanoTime() > deadline)
                throw new BoxdException(ErrorCode.INTERNAL, "processes " + pids + " of box " + boxId + " do not die",
                        "check them with ps; a process stuck in the kernel (D state) blocks teardown");
            sleep(20);
        }
        for (Path d : dirs(boxId)) {
            for (int i = 0; i < 100 && Files.exists(d); i++) {
                try {
                    Files.deleteIfExists(d);  // rmdir on a cgroup; EBUSY until its last task has exited
                } catch (IOException e) {
                    sleep(20);
                }
            }
            if (Files.exists(d))
                throw new BoxdException(ErrorCode.INTERNAL, "cannot remove cgroup " + d, "rmdir it once its processes are gone");
        }
        removeParentsIfUnused(); // the host's last box takes the shared parents with it
    }

    /** createDirectories that retries when a concurrent destroy removed the shared parent between its two mkdirs. */
    private static void createDirs(Path d) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(d);
                return;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt == 3) throw e;
            }
        }
    }

    /** Removes the shared "boxd" parent cgroups when no box is left under them (the kernel refuses otherwise). */
    public void removeParentsIfUnused() {
        List<Path> parents = v2 ? List.of(base.resolve("boxd"))
                : List.of(base.resolve("cpu/boxd"), base.resolve("memory/boxd"), base.resolve("pids/boxd"));
        for (Path p : parents) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException stillInUse) {
                // boxes (of this or another worker) remain under it
            }
        }
    }

    /** {@return the memory limit in bytes set on the box's cgroup, or -1} */
    public long memoryLimit(String boxId) {
        Path f = v2 ? dirs(boxId).get(0).resolve("memory.max") : dirs(boxId).get(1).resolve("memory.limit_in_bytes");
        try {
            String s = Files.readString(f).strip();
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** {@return the memory currently charged to the box's cgroup in bytes, or -1} */
    public long memoryUsage(String boxId) {
        Path f = v2 ? dirs(boxId).get(0).resolve("memory.current") : dirs(boxId).get(1).resolve("memory.usage_in_bytes");
        try {
            return Long.parseLong(Files.readString(f).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** {@return box ids that have a cgroup here} */
    public List<String> list() {
        Path p = v2 ? base.resolve("boxd") : base.resolve("memory/boxd");
        if (!Files.isDirectory(p)) return List.of();
        try (var s = Files.list(p)) {
            return s.filter(Files::isDirectory).map(x -> x.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void write(Path f, String value, boolean ignoreFailure) throws IOException {
        try {
            Files.writeString(f, value);
        } catch (IOException e) {
            if (!ignoreFailure) throw new IOException("writing '" + value + "' to " + f + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
