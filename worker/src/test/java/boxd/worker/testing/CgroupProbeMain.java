package boxd.worker.testing;

import boxd.worker.runtime.CgroupMounts;
import boxd.worker.runtime.Cgroups;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by CgroupMountsIT in a mount namespace with a fresh sysfs: makes the host's cgroups visible, creates a box
 * cgroup (args[0]) with limits, prints what it sees, waits for a line on stdin, then removes the cgroup.
 */
public final class CgroupProbeMain {
    public static void main(String[] args) throws Exception {
        String id = args[0];
        Path base = Path.of("/sys/fs/cgroup");
        boolean visible = Files.isDirectory(base.resolve("memory")) || Files.exists(base.resolve("cgroup.controllers"));
        System.out.println("visible before: " + visible);
        List<String> ran = CgroupMounts.mountMissing(base);
        System.out.println("mount commands: " + ran.size());
        Cgroups cg = new Cgroups(base);
        cg.create(id, 1, 64, 32);
        System.out.println("memory limit: " + cg.memoryLimit(id));
        System.out.println("created " + cg.dirs(id).get(0));
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        cg.destroy(id);
        System.out.println("destroyed: " + !cg.list().contains(id));
    }
}
