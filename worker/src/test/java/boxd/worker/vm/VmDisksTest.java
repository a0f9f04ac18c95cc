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

    private static long allocatedBytes(Path p) {
        return Long.parseLong(Cmd.run("stat", "-c", "%b", p.toString()).stdout().strip()) * 512;
    }

    private static String sha256(Path p) {
        return Cmd.run("sha256sum", p.toString()).requireSuccess().stdout().split(" ")[0];
    }

    private VmBoxFiles box(String name) throws Exception {
        VmBoxFiles f = new VmBoxFiles(tmp.resolve(name));
        Files.createDirectories(f.dir());
        return f;
    }

    @Test
    void aBaseOfAnOlderImageGoesWithTheLastBoxOverItAndTheCurrentImagesStay() throws Exception {
        Path old = tinyImage();
        VmBaseDisks bases = new VmBaseDisks(tmp.resolve("bases"));
        VmBoxFiles a = box("a"), b = box("b");
        VmDisks.makeRootOverlay(bases, old, a, 1, "a");
        Path oldBase = bases.pathFor(old, 1);
        // the image is rebuilt: new boxes get a new base, box a keeps the old one
        Path current = tmp.resolve("rootfs-new.ext4");
        Files.copy(old, current);
        VmDisks.makeRootOverlay(bases, current, b, 1, "b");
        Path newBase = bases.pathFor(current, 1);
        assertNotEquals(oldBase, newBase);

        assertEquals(List.of(), bases.removeUnused(current, List.of(a.rootOverlay(), b.rootOverlay())),
                "a base some box names stays");
        // box a destroyed: its old base has no box left; the current image's base stays even with no box over it
        assertEquals(List.of(oldBase), bases.removeUnused(current, List.of()));
        assertEquals(List.of(newBase), bases.list());
        // an unreadable map might name any base: nothing is removed
        Files.writeString(b.rootOverlay(), "garbage");
        Path other = tmp.resolve("rootfs-other.ext4");
        Files.copy(old, other);
        assertEquals(List.of(), bases.removeUnused(other, List.of(b.rootOverlay())));
        assertEquals(List.of(newBase), bases.list());
    }

    @Test
    void rootDiskIsACopyOnWriteOverlayOverABaseGrownToTheBoxSizeWithTheGuestInit() throws Exception {
        Path img = tinyImage();
        VmBaseDisks bases = new VmBaseDisks(tmp.resolve("bases"));
        VmBoxFiles f = box("box");
        VmDisks.makeRootOverlay(bases, img, f, 1, "tiny");

        Path base = bases.pathFor(img, 1);
        assertEquals(List.of(base), bases.list(), "one base, named by size and inputs");
        assertTrue(base.getFileName().toString().startsWith("root-1g-"), base.toString());
        assertEquals(1L << 30, Files.size(base), "the base is the box's disk size");
        assertEquals("r--r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(base)));
        assertTrue(allocatedBytes(base) < (64L << 20), "the base is sparse: " + allocatedBytes(base) + " bytes allocated");
        try (var s = Files.list(bases.dir())) {
            assertEquals(List.of(base), s.toList(), "no temporaries left");
        }

        var h = boxd.vmm.devices.virtio.block.CowBlockBackend.readHeader(f.rootOverlay());
        assertEquals(base, h.base());
        assertEquals(1L << 30, h.virtualSize(), "the disk is the box's size");
        assertTrue(Files.size(f.rootOverlay()) <= 4096 + 32 * 1024 && allocatedBytes(f.dir().resolve("root.cow.data")) < 64 * 1024,
                "the box's own files are tiny");
        assertFalse(Files.exists(f.legacyRootDisk()));
        var cfg = VmDisks.rootDiskConfig(f);
        assertEquals(f.rootOverlay(), cfg.path());
        assertEquals(base, cfg.base(), "the VMM opens the overlay over the base its map names");

        // what the guest sees: the image's file system grown to the whole disk, with the guest init
        Path flat = tmp.resolve("flat.ext4");
        boxd.vmm.devices.virtio.block.CowBlockBackend.flatten(f.rootOverlay(), flat);
        String dump = Cmd.run("dumpe2fs", "-h", flat.toString()).stdout();
        long blocks = Long.parseLong(dump.replaceAll("(?s).*\nBlock count:\\s+(\\d+).*", "$1"));
        long blockSize = Long.parseLong(dump.replaceAll("(?s).*\nBlock size:\\s+(\\d+).*", "$1"));
        assertEquals(1L << 30, blocks * blockSize, "file system grown to the whole disk:\n" + dump);
        assertEquals("ID=tiny", debugfs(flat, "cat /etc/os-release").strip(), "image content kept");
        String stat = debugfs(flat, "stat " + VmBoxFiles.GUEST_INIT);
        assertTrue(stat.contains("Mode:  0755") && stat.contains("User:     0"), stat);
        assertEquals(VmDisks.guestInit(), debugfs(flat, "cat " + VmBoxFiles.GUEST_INIT));
        assertEquals(0, Cmd.run("e2fsck", "-f", "-n", flat.toString()).exit(), "file system clean");
    }

    @Test
    void boxesShareABasePerImageAndSizeAndWriteOnlyTheirOwnOverlay() throws Exception {
        Path img = tinyImage();
        VmBaseDisks bases = new VmBaseDisks(tmp.resolve("bases"));
        VmBoxFiles a = box("a"), b = box("b"), c = box("c");
        // two boxes racing for a base that does not exist yet: it is made once
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                VmDisks.makeRootOverlay(bases, img, b, 1, "b");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        VmDisks.makeRootOverlay(bases, img, a, 1, "a");
        other.join();
        VmDisks.makeRootOverlay(bases, img, c, 2, "c");
        Path base1 = bases.pathFor(img, 1), base2 = bases.pathFor(img, 2);
        assertEquals(java.util.Set.of(base1, base2), java.util.Set.copyOf(bases.list()), "one base per size");
        assertEquals(base1, VmDisks.rootDiskConfig(b).base());
        assertEquals(base2, VmDisks.rootDiskConfig(c).base());

        String baseSum = sha256(base1);
        byte[] block = "box a was here".getBytes();
        try (var disk = boxd.vmm.devices.virtio.block.CowBlockBackend.open(a.rootOverlay(), base1, false)) {
            disk.write(0, java.nio.ByteBuffer.wrap(block));
        }
        try (var disk = boxd.vmm.devices.virtio.block.CowBlockBackend.open(a.rootOverlay(), base1, true);
             var other2 = boxd.vmm.devices.virtio.block.CowBlockBackend.open(b.rootOverlay(), base1, true)) {
            var got = java.nio.ByteBuffer.allocate(block.length);
            disk.read(0, got);
            assertArrayEquals(block, got.array(), "a's write is in a's disk");
            var theirs = java.nio.ByteBuffer.allocate(block.length);
            other2.read(0, theirs);
            assertFalse(java.util.Arrays.equals(block, theirs.array()), "and not in b's");
        }
        assertEquals(baseSum, sha256(base1), "the shared base is never written");

        // a changed image (rebuilt: new modification time) gets a new base; the old one stays for the boxes over it
        Files.setLastModifiedTime(img, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(img).toMillis() + 5000));
        assertNotEquals(base1, bases.pathFor(img, 1));
        VmDisks.makeRootOverlay(bases, img, box("d"), 1, "d");
        assertEquals(3, bases.list().size());
        assertTrue(Files.exists(base1));
    }

    @Test
    void aBoxMadeBeforeCopyOnWriteDisksKeepsItsFullCopy() throws Exception {
        VmBoxFiles f = box("old");
        Files.write(f.legacyRootDisk(), new byte[4096]);
        var cfg = VmDisks.rootDiskConfig(f);
        assertEquals(f.legacyRootDisk(), cfg.path());
        assertFalse(cfg.copyOnWrite(), "a raw disk, as before");
    }

    @Test
    void aDiskSmallerThanTheImageIsRefused() throws Exception {
        Path img = tmp.resolve("big.ext4");
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (2L << 30) - 1);  // sparse 2 GiB
        }
        VmBaseDisks bases = new VmBaseDisks(tmp.resolve("bases"));
        VmBoxFiles f = box("box");
        BoxdException e = assertThrows(BoxdException.class, () -> VmDisks.makeRootOverlay(bases, img, f, 1, "small"));
        assertTrue(e.getMessage().contains("1 GiB") && e.getMessage().contains("box small") && e.hint().contains("--disk"),
                e.getMessage());
        assertFalse(Files.exists(f.rootOverlay()));
        assertEquals(List.of(), bases.list());
        try (var s = Files.list(bases.dir())) {
            assertEquals(List.of(), s.toList(), "no temporaries left");
        }
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
