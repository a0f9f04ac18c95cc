package boxd.worker.vm;

import boxd.common.BoxSpec;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.common.testing.TestNetns;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.worker.image.RootfsImage;
import boxd.worker.runtime.BoxLaunch;
import boxd.worker.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The guest side of a vm box without a VM: the box's own root disk and config disk, as the vm runtime makes them,
 * attached to loop devices (the root disk, a copy-on-write overlay, flattened to a raw file first; the config disk as
 * {@code /dev/vdb}), and its guest init run as PID 1 of a chroot in fresh
 * pid/mount/uts namespaces inside the test's network namespace. This checks the disks and the init script (keys,
 * hostname, host keys, sshd) on hosts where a guest's userspace cannot run (PVM); it is not the vm runtime, whose
 * boot is checked by VmRuntimeIT (hardware KVM) and VmRuntimeSlowIT.
 */
class GuestInitIT {
    @TempDir
    Path tmp;

    private static Cmd.Result ssh(TestNetns ns, Path key, String command) {
        return Cmd.run(ns.wrap(List.of("ssh", "-i", key.toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes", "boxd@127.0.0.1", command)), null, 60, null);
    }

    @Test
    void guestInitInstallsTheConfigDiskAndBecomesSshd() throws Exception {
        Host.requireRoot();
        Host.requireCommand("ssh", "openssh-client");
        Host.requireCommand("losetup", "mount");
        Host.requireCommand("debugfs", "e2fsprogs");
        RootfsImage.Built image = TestImages.rootfs();
        Path key = TestKeys.ed25519(tmp.resolve("keys"), "owner");
        VmBoxFiles f = new VmBoxFiles(tmp.resolve("box"));
        Files.createDirectories(f.dir());
        BoxLaunch box = new BoxLaunch("b-00000000f001", "initbox", new BoxSpec(1, 256, 2, BoxSpec.DEFAULT_IMAGE), "10.77.0.2",
                16, "10.77.0.1", List.of(TestKeys.publicLine(key)));
        VmDisks.makeHostKeys(f, box.name());
        VmDisks.makeRootOverlay(new VmBaseDisks(tmp.resolve("bases")), image.ext4(), f, box.spec().diskGb(), box.name());
        VmDisks.makeConfigDisk(box, f);
        // the root disk is a copy-on-write overlay that only the VMM reads: a loop device gets it flattened to a raw file
        Path rootRaw = tmp.resolve("root-flat.ext4");
        CowBlockBackend.flatten(f.rootOverlay(), rootRaw);

        List<String> loops = new ArrayList<>();
        try (TestNetns ns = TestNetns.create("bxw-init")) {
            String root = Cmd.run("losetup", "-f", "--show", rootRaw.toString()).requireSuccess().stdout().strip();
            loops.add(root);
            String cfg = Cmd.run("losetup", "-r", "-f", "--show", f.configDisk().toString()).requireSuccess().stdout().strip();
            loops.add(cfg);
            Path mnt = tmp.resolve("mnt");
            Files.createDirectories(mnt);
            String script = """
                    set -e
                    mount %1$s %2$s
                    set -- $(stat -c '%%t %%T' %3$s)
                    rm -f %2$s/dev/vdb; mknod %2$s/dev/vdb b $((0x$1)) $((0x$2))
                    exec chroot %2$s %4$s
                    """.formatted(root, mnt, cfg, VmBoxFiles.GUEST_INIT);
            Path log = tmp.resolve("init.log");
            Process p = new ProcessBuilder(ns.wrap(List.of("unshare", "--mount", "--pid", "--uts", "--fork", "--kill-child",
                    "--propagation", "private", "bash", "-c", script)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String out = "";
                for (int i = 0; i < 300 && !out.contains("Server listening"); i++) {
                    Thread.sleep(50);
                    out = Files.readString(log);
                }
                assertTrue(out.contains(VmRuntime.SSHD_STARTING) && out.contains("Server listening"), out);
                Cmd.Result r = ssh(ns, key, "hostname; cat /etc/resolv.conf; sudo -n id -u; cat /proc/1/comm;"
                        + " df -k --output=size / | tail -1; cat /etc/ssh/ssh_host_ed25519_key.pub");
                assertEquals(0, r.exit(), r.stderr());
                String[] lines = r.stdout().split("\n");
                assertEquals("initbox", lines[0], r.stdout());
                assertEquals("nameserver 10.77.0.1", lines[1]);
                assertEquals("0", lines[2], "passwordless sudo");
                assertEquals("sshd", lines[3], "the init became sshd");
                assertTrue(Long.parseLong(lines[4].strip()) > 1_800_000, "root grown to 2 GiB: " + lines[4]);
                assertEquals(Files.readString(f.hostKeys().resolve("ssh_host_ed25519_key.pub")).strip(), lines[5].strip(),
                        "the box's own host key");

                // keys changed while it runs: the config disk is rewritten in place and the init installs them
                Path key2 = TestKeys.ed25519(tmp.resolve("keys"), "later");
                VmDisks.makeConfigDisk(new BoxLaunch(box.id(), box.name(), box.spec(), box.ipv4(), 16, "10.77.0.1",
                        List.of(TestKeys.publicLine(key2))), f, true);
                Cmd.Result r2 = null;
                for (int i = 0; i < 40; i++) {
                    r2 = ssh(ns, key2, "hostname");
                    if (r2.exit() == 0) break;
                    Thread.sleep(250);
                }
                assertEquals(0, r2.exit(), "the new key works within 10 s: " + r2.stderr());
                assertNotEquals(0, ssh(ns, key, "true").exit(), "the removed key is refused");
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        } finally {
            for (String l : loops) Cmd.run("losetup", "-d", l);
        }
        String left = Cmd.run("losetup", "-a").stdout();
        assertFalse(left.contains(f.dir().toString()) || left.contains(rootRaw.toString()), "loop devices detached: " + left);
    }
}
