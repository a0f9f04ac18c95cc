package boxd.worker.vm;

import boxd.common.BoxSpec;
import boxd.common.BoxdException;
import boxd.common.testing.Cmd;
import boxd.common.testing.Host;
import boxd.worker.runtime.BoxLaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The per-box disks of a vm box, made from a tiny ext4 image (no root needed: e2fsprogs work on files). */
class VmDisksTest {
    @TempDir
    Path tmp;

    private Path tinyImage() throws Exception {
        Host.requireCommand("mkfs.ext4", "e2fsprogs");
        Host.requireCommand("debugfs", "e2fsprogs");
        Host.requireCommand("resize2fs", "e2fsprogs");
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("usr/local/sbin"));
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/os-release"), "ID=tiny\n");
        Path img = tmp.resolve("rootfs.ext4");
        Cmd.run("mkfs.ext4", "-q", "-F", "-d", tree.toString(), img.toString(), "64M").requireSuccess();
        return img;
    }

    private static String debugfs(Path disk, String request) {
        return Cmd.run("debugfs", "-R", request, disk.toString()).stdout();
    }

    @Test
    void rootDiskIsASparseCopyGrownToTheBoxSizeWithTheGuestInit() throws Exception {
        Path img = tinyImage();
        VmBoxFiles f = new VmBoxFiles(tmp.resolve("box"));
        Files.createDirectories(f.dir());
        VmDisks.makeRootDisk(img, f, 1, "tiny");

        assertEquals(1L << 30, Files.size(f.rootDisk()), "file is the box's disk size");
        long allocated = Long.parseLong(Cmd.run("stat", "-c", "%b", f.rootDisk().toString()).stdout().strip()) * 512;
        assertTrue(allocated < (64L << 20), "sparse: " + allocated + " bytes allocated");
        String dump = Cmd.run("dumpe2fs", "-h", f.rootDisk().toString()).stdout();
        long blocks = Long.parseLong(dump.replaceAll("(?s).*\nBlock count:\\s+(\\d+).*", "$1"));
        long blockSize = Long.parseLong(dump.replaceAll("(?s).*\nBlock size:\\s+(\\d+).*", "$1"));
        assertEquals(1L << 30, blocks * blockSize, "file system grown to the whole disk:\n" + dump);
        assertEquals("ID=tiny", debugfs(f.rootDisk(), "cat /etc/os-release").strip(), "image content kept");
        String stat = debugfs(f.rootDisk(), "stat " + VmBoxFiles.GUEST_INIT);
        assertTrue(stat.contains("Mode:  0755") && stat.contains("User:     0"), stat);
        assertEquals(VmDisks.guestInit(), debugfs(f.rootDisk(), "cat " + VmBoxFiles.GUEST_INIT));
        assertFalse(Files.exists(f.dir().resolve("root.ext4.tmp")), "no temporary left");
        assertEquals(0, Cmd.run("e2fsck", "-f", "-n", f.rootDisk().toString()).exit(), "file system clean");
    }

    @Test
    void aDiskSmallerThanTheImageIsRefused() throws Exception {
        Path img = tmp.resolve("big.ext4");
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (2L << 30) - 1);  // sparse 2 GiB
        }
        VmBoxFiles f = new VmBoxFiles(tmp.resolve("box"));
        Files.createDirectories(f.dir());
        BoxdException e = assertThrows(BoxdException.class, () -> VmDisks.makeRootDisk(img, f, 1, "small"));
        assertTrue(e.getMessage().contains("1 GiB") && e.hint().contains("--disk"), e.getMessage());
        assertFalse(Files.exists(f.rootDisk()));
    }

    @Test
    void configDiskCarriesIdentityKeysAndHostKeys() throws Exception {
        Host.requireCommand("mkfs.ext4", "e2fsprogs");
        Host.requireCommand("debugfs", "e2fsprogs");
        Host.requireCommand("ssh-keygen", "openssh-client");
        VmBoxFiles f = new VmBoxFiles(tmp.resolve("box"));
        Files.createDirectories(f.dir());
        BoxLaunch box = new BoxLaunch("b-0123456789ab", "cfgbox", new BoxSpec(1, 256, 1, BoxSpec.DEFAULT_IMAGE),
                "10.77.0.9", 16, "10.77.0.1", List.of("ssh-ed25519 AAAAowner o@x", "ecdsa-sha2-nistp256 AAAAplatform boxd"));
        VmDisks.makeHostKeys(f, box.name());
        String hostKey = Files.readString(f.hostKeys().resolve("ssh_host_ed25519_key.pub"));
        VmDisks.makeHostKeys(f, box.name());
        assertEquals(hostKey, Files.readString(f.hostKeys().resolve("ssh_host_ed25519_key.pub")), "host keys made once");
        VmDisks.makeConfigDisk(box, f);

        Path d = f.configDisk();
        assertEquals("cfgbox", debugfs(d, "cat /hostname").strip());
        assertEquals("nameserver 10.77.0.1", debugfs(d, "cat /resolv.conf").strip());
        assertTrue(debugfs(d, "cat /hosts").contains("127.0.1.1\tcfgbox"));
        assertEquals("ssh-ed25519 AAAAowner o@x\necdsa-sha2-nistp256 AAAAplatform boxd\n", debugfs(d, "cat /authorized_keys"));
        assertEquals(hostKey, debugfs(d, "cat /ssh_host_ed25519_key.pub"));
        assertTrue(debugfs(d, "cat /ssh_host_ecdsa_key").contains("PRIVATE KEY"));
        assertFalse(Files.exists(f.dir().resolve("config-staging")), "staging removed");

        // remade at every start: new keys land
        VmDisks.makeConfigDisk(new BoxLaunch(box.id(), box.name(), box.spec(), box.ipv4(), 16, "10.77.0.1",
                List.of("ssh-ed25519 AAAAlater l@x")), f);
        assertEquals("ssh-ed25519 AAAAlater l@x\n", debugfs(d, "cat /authorized_keys"));

        // while the VM runs: same file (the VMM holds it open), new content
        Object inode = Files.readAttributes(d, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        VmDisks.makeConfigDisk(new BoxLaunch(box.id(), box.name(), box.spec(), box.ipv4(), 16, "10.77.0.1",
                List.of("ssh-ed25519 AAAAlive v@x")), f, true);
        assertEquals(inode, Files.readAttributes(d, java.nio.file.attribute.BasicFileAttributes.class).fileKey(), "same inode");
        assertEquals("ssh-ed25519 AAAAlive v@x\n", debugfs(d, "cat /authorized_keys"));
        assertEquals("cfgbox", debugfs(d, "cat /hostname").strip());
    }

    @Test
    void guestInitAppliesTheConfigDiskThenBecomesSshd() {
        String init = VmDisks.guestInit();
        assertTrue(init.startsWith("#!/bin/sh\n"));
        assertTrue(init.contains("mount -t ext4 -o ro /dev/vdb"), "reads the config disk");
        assertTrue(init.contains("/home/boxd/.ssh/authorized_keys"));
        assertTrue(init.strip().endsWith("exec /usr/sbin/sshd -D -e"), "PID 1 becomes sshd");
        assertTrue(init.contains("echo \"" + VmRuntime.SSHD_STARTING + "\"\nexec /usr/sbin/sshd"),
                "announces sshd on the console, which the runtime waits for before probing port 22");
        assertTrue(VmDisks.debugfsScript(Path.of("/x/boxd-init")).contains("write /x/boxd-init boxd-init\n"));
    }
}
