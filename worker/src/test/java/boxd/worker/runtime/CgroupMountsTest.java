package boxd.worker.runtime;

import boxd.common.BoxdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CgroupMountsTest {
    @TempDir Path tmp;

    /** This development host: cgroup v1, one controller per hierarchy, under a tmpfs. */
    static final List<String> ONE_PER_HIERARCHY = List.of(
            "25 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "30 25 0:26 / /sys/fs/cgroup rw,relatime shared:8 - tmpfs tmpfs rw,mode=755",
            "31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu",
            "32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime shared:10 - cgroup cgroup rw,cpuacct",
            "33 30 0:29 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory",
            "34 30 0:30 / /sys/fs/cgroup/pids rw,relatime shared:12 - cgroup cgroup rw,pids",
            "35 30 0:31 / /sys/fs/cgroup/systemd rw,relatime shared:13 - cgroup cgroup rw,xattr,name=systemd");

    /** systemd's v1 layout: cpu and cpuacct share a hierarchy, linked by their single names. */
    static final List<String> SYSTEMD_V1 = List.of(
            "30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755",
            "36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,cpu,cpuacct",
            "37 30 0:33 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory",
            "38 30 0:34 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids");

    static final List<String> V2 = List.of(
            "29 25 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot");

    @Test
    void parsesTheCgroupFileSystemsOfAMountTable() {
        List<CgroupMounts.Hierarchy> h = CgroupMounts.parse(ONE_PER_HIERARCHY);
        assertEquals(5, h.size());
        assertEquals(new CgroupMounts.Hierarchy("cgroup", Path.of("/sys/fs/cgroup/cpu"), List.of("cpu")), h.get(0));
        assertEquals(List.of("xattr", "name=systemd"), h.get(4).options());
        assertTrue(CgroupMounts.parse(V2).getFirst().isV2());
        assertEquals(Path.of("/sys/fs/cgroup/a b"),
                CgroupMounts.parse(List.of("1 2 0:1 / /sys/fs/cgroup/a\\040b rw - cgroup cgroup rw,pids")).getFirst().mountPoint());
        // lines that are not cgroups, or are malformed, are skipped
        assertEquals(List.of(), CgroupMounts.parse(List.of("", "garbage", "1 2 3 - cgroup", "25 1 0:22 / /sys rw - sysfs sysfs rw")));
    }

    @Test
    void plansTheHostsV1HierarchiesWithTheirOwnControllerSets() {
        Path base = tmp.resolve("cg");
        List<List<String>> steps = CgroupMounts.plan(base, CgroupMounts.parse(ONE_PER_HIERARCHY));
        assertEquals(List.of("mount", "-t", "tmpfs", "-o", "mode=755", "cgroup", base.toString()), steps.get(0));
        assertTrue(steps.contains(List.of("mount", "-t", "cgroup", "-o", "cpu", "cgroup", base.resolve("cpu").toString())));
        assertTrue(steps.contains(List.of("mount", "-t", "cgroup", "-o", "memory", "cgroup", base.resolve("memory").toString())));
        assertTrue(steps.contains(List.of("mount", "-t", "cgroup", "-o", "pids", "cgroup", base.resolve("pids").toString())));
        assertTrue(steps.stream().noneMatch(s -> s.toString().contains("cpuacct") || s.toString().contains("systemd")), steps.toString());

        List<List<String>> sd = CgroupMounts.plan(base, CgroupMounts.parse(SYSTEMD_V1));
        assertTrue(sd.contains(List.of("mount", "-t", "cgroup", "-o", "cpu,cpuacct", "cgroup", base.resolve("cpu,cpuacct").toString())));
        assertTrue(sd.contains(List.of("ln", "-sfn", "cpu,cpuacct", base.resolve("cpu").toString())), sd.toString());
    }

    @Test
    void plansCgroup2WhenTheHostIsUnified() {
        Path base = tmp.resolve("cg");
        assertEquals(List.of(List.of("mount", "-t", "cgroup2", "cgroup2", base.toString())),
                CgroupMounts.plan(base, CgroupMounts.parse(V2)));
    }

    @Test
    void plansNothingWhereTheHierarchiesAreThere() throws Exception {
        Path v1 = tmp.resolve("v1");
        for (String c : List.of("cpu", "memory", "pids")) Files.createDirectories(v1.resolve(c));
        assertEquals(List.of(), CgroupMounts.plan(v1, CgroupMounts.parse(ONE_PER_HIERARCHY)));
        Path v2 = Files.createDirectories(tmp.resolve("v2"));
        Files.writeString(v2.resolve("cgroup.controllers"), "cpu memory pids\n");
        assertEquals(List.of(), CgroupMounts.plan(v2, CgroupMounts.parse(ONE_PER_HIERARCHY)));
    }

    @Test
    void aHostWithoutAPidsHierarchyIsRefusedWithWhatToDo() {
        List<String> noPids = ONE_PER_HIERARCHY.stream().filter(l -> !l.contains("pids")).toList();
        BoxdException e = assertThrows(BoxdException.class, () -> CgroupMounts.plan(tmp.resolve("cg"), CgroupMounts.parse(noPids)));
        assertTrue(e.getMessage().contains("[pids]"), e.getMessage());
        assertTrue(e.hint().contains("mount"), e.hint());
    }
}
