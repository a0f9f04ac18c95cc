package boxd.worker.vm;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.vmm.config.BlockConfig;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.worker.HostCommand;
import boxd.worker.runtime.BoxFiles;
import boxd.worker.runtime.BoxLaunch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a vm box's disks, never mounting anything on the host. The root disk is a copy-on-write overlay
 * ({@link CowBlockBackend}: a small map and a sparse data file in the box's directory) over a shared read-only base
 * made once per image, disk size and guest init ({@link VmBaseDisks}) with host tools: a sparse copy of the image's
 * ext4, {@code truncate} + {@code resize2fs} to the size, and {@code debugfs} to write the guest init. The config disk
 * is made by {@code mkfs.ext4 -d} from a staged directory.
 */
public final class VmDisks {
    private VmDisks() {}

    /** Size of the config disk: a few files of keys (sparse: takes almost nothing). */
    static final String CONFIG_DISK_SIZE = "4M";

    /** {@return the host tools the vm runtime needs that are missing, each with its Debian package} */
    public static List<String> missingTools() {
        return HostCommand.missing("cp", "coreutils", "truncate", "coreutils", "resize2fs", "e2fsprogs",
                "e2fsck", "e2fsprogs", "debugfs", "e2fsprogs", "mkfs.ext4", "e2fsprogs", "ip", "iproute2",
                "bash", "bash", "ssh-keygen", "openssh-client");
    }

    /** The guest init script, as shipped in the worker jar. */
    public static String guestInit() {
        try (InputStream in = VmDisks.class.getResourceAsStream("boxd-init")) {
            if (in == null) throw new IllegalStateException("the worker jar lacks boxd/worker/vm/boxd-init");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The debugfs commands that (re)place the guest init, read from {@code initFile}, at {@link VmBoxFiles#GUEST_INIT}. */
    static String debugfsScript(Path initFile) {
        String p = VmBoxFiles.GUEST_INIT;
        String dir = p.substring(0, p.lastIndexOf('/'));
        String name = p.substring(p.lastIndexOf('/') + 1);
        return "cd " + dir + "\n"
                + "rm " + name + "\n"
                + "write " + initFile.toAbsolutePath() + " " + name + "\n"
                + "sif " + name + " mode 0100755\n"
                + "sif " + name + " uid 0\n"
                + "sif " + name + " gid 0\n";
    }

    /**
     * Makes the box's root disk: a copy-on-write overlay ({@link VmBoxFiles#rootOverlay}) of {@code diskGb} GiB over the
     * shared base for this image and size, which is made first when no box used it yet. Takes milliseconds once the
     * base exists; the overlay's map is written under a temporary name and renamed, so a crash never leaves a half-made
     * disk.
     */
    public static void makeRootOverlay(VmBaseDisks bases, Path imageExt4, VmBoxFiles files, int diskGb, String boxName)
            throws IOException {
        Path base = bases.ensure(imageExt4, diskGb, boxName);
        CowBlockBackend.create(files.rootOverlay(), base, (long) diskGb << 30).close();
    }

    /**
     * {@return the root disk ({@code /dev/vda}) of a created box}: its copy-on-write overlay over the base its map names,
     * or for a box made before those, its full copy {@code root.ext4}
     */
    public static BlockConfig rootDiskConfig(VmBoxFiles files) throws IOException {
        if (Files.exists(files.legacyRootDisk())) return new BlockConfig(files.legacyRootDisk(), false, "boxd-root");
        return new BlockConfig(files.rootOverlay(), false, "boxd-root", CowBlockBackend.readHeader(files.rootOverlay()).base());
    }

    /**
     * Makes the raw root image {@code out} from {@code imageExt4}: sparse copy, grown to {@code diskGb} GiB, file system
     * resized, guest init written and checked. {@code out} is the caller's temporary (a base under construction); it is
     * removed when this fails. {@code forWhat} names who asks in error messages ("box NAME").
     */
    public static void makeRootImage(Path imageExt4, Path out, int diskGb, String forWhat) throws IOException {
        Files.deleteIfExists(out);
        long want = (long) diskGb << 30;
        long have = Files.size(imageExt4);
        if (want < have)
            throw new BoxdException(ErrorCode.INVALID, forWhat + " asks for a " + diskGb + " GiB disk but its image "
                    + imageExt4 + " is already " + (have >> 20) + " MiB", "create it with a larger --disk");
        Path init = out.resolveSibling(out.getFileName() + ".boxd-init");
        try {
            HostCommand.run(List.of("cp", "--reflink=auto", "--sparse=always", imageExt4.toString(), out.toString()), null,
                    Duration.ofMinutes(5)).orThrow("copying the root image for " + forWhat, "check free space in the data dir");
            HostCommand.run(List.of("truncate", "-s", Long.toString(want), out.toString()), null, Duration.ofSeconds(30))
                    .orThrow("growing the root disk of " + forWhat, "");
            if (want > have) {
                HostCommand.Result r = HostCommand.run(List.of("resize2fs", out.toString()), null, Duration.ofMinutes(5));
                if (!r.ok()) {  // resize2fs wants a checked file system first when the image was ever mounted
                    HostCommand.run(List.of("e2fsck", "-f", "-y", out.toString()), null, Duration.ofMinutes(5));
                    HostCommand.run(List.of("resize2fs", out.toString()), null, Duration.ofMinutes(5))
                            .orThrow("resizing the root file system of " + forWhat, "apt-get install e2fsprogs");
                }
            }
            Files.writeString(init, guestInit());
            HostCommand.run(List.of("debugfs", "-w", "-f", "-", out.toString()),
                    debugfsScript(init).getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofMinutes(1))
                    .orThrow("writing the guest init into the root disk of " + forWhat, "apt-get install e2fsprogs");
            HostCommand.Result check = HostCommand.run(List.of("debugfs", "-R", "stat " + VmBoxFiles.GUEST_INIT, out.toString()),
                    null, Duration.ofSeconds(30));
            if (!check.ok() || !check.stdout().contains("Mode:  0755"))
                throw new BoxdException(ErrorCode.INTERNAL, "the guest init did not land in the root disk of " + forWhat
                        + ": " + (check.stdout() + check.stderr()).strip(), "see " + out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        } finally {
            Files.deleteIfExists(init);
        }
    }

    /** The files of the config disk, by name: what the guest init installs. */
    public static List<String[]> configFiles(BoxLaunch box) {
        return List.of(
                new String[]{"hostname", box.name() + "\n"},
                new String[]{"hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + box.name() + "\n::1\tlocalhost ip6-localhost\n"},
                new String[]{"resolv.conf", "nameserver " + box.gateway() + "\n"},
                new String[]{"authorized_keys", BoxFiles.authorizedKeys(box.authorizedKeys())});
    }

    /** Makes the box's own sshd host keys in {@code files.hostKeys()}, once. */
    public static void makeHostKeys(VmBoxFiles files, String boxName) throws IOException {
        Path d = files.hostKeys();
        if (Files.exists(d.resolve("ssh_host_ed25519_key")) && Files.exists(d.resolve("ssh_host_ecdsa_key"))) return;
        Files.createDirectories(d);
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (String[] t : new String[][]{{"ed25519"}, {"ecdsa", "-b", "256"}}) {
            Path key = d.resolve("ssh_host_" + t[0] + "_key");
            Files.deleteIfExists(key);
            Files.deleteIfExists(Path.of(key + ".pub"));
            List<String> argv = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", t[0]));
            for (int i = 1; i < t.length; i++) argv.add(t[i]);
            argv.addAll(List.of("-N", "", "-C", "root@" + boxName, "-f", key.toString()));
            HostCommand.run(argv, null, Duration.ofSeconds(30)).orThrow("making the sshd host keys of box " + boxName,
                    "apt-get install openssh-client");
        }
    }

    /** (Re)makes {@code files.configDisk()}: hostname, hosts, resolv.conf, authorized_keys and the host keys. */
    public static void makeConfigDisk(BoxLaunch box, VmBoxFiles files) throws IOException {
        makeConfigDisk(box, files, false);
    }

    /**
     * Makes the config disk; with {@code inPlace} the new image is written over the existing file (same size, same
     * inode), so a running VM whose disk backend holds the file open reads the new content: the guest init looks for
     * changed keys every 2 s.
     */
    public static void makeConfigDisk(BoxLaunch box, VmBoxFiles files, boolean inPlace) throws IOException {
        Path staging = files.dir().resolve("config-staging");
        HostCommand.run(List.of("rm", "-rf", "--one-file-system", staging.toString()), null, Duration.ofSeconds(30));
        Files.createDirectories(staging);
        for (String[] f : configFiles(box)) Files.writeString(staging.resolve(f[0]), f[1]);
        try (var s = Files.list(files.hostKeys())) {
            for (Path k : s.toList()) Files.copy(k, staging.resolve(k.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path tmp = files.dir().resolve("config.ext4.tmp");
        Files.deleteIfExists(tmp);
        HostCommand.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-L", "boxd-config", "-d", staging.toString(),
                        tmp.toString(), CONFIG_DISK_SIZE), null, Duration.ofSeconds(60))
                .orThrow("making the config disk of box " + box.name(), "apt-get install e2fsprogs");
        if (inPlace && Files.exists(files.configDisk()) && Files.size(files.configDisk()) == Files.size(tmp)) {
            try (var in = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.READ);
                 var out = java.nio.channels.FileChannel.open(files.configDisk(), java.nio.file.StandardOpenOption.WRITE)) {
                long n = in.size(), done = 0;
                while (done < n) done += in.transferTo(done, n - done, out.position(done));
                out.force(true);
            }
            Files.delete(tmp);
        } else {
            Files.move(tmp, files.configDisk(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        HostCommand.run(List.of("rm", "-rf", "--one-file-system", staging.toString()), null, Duration.ofSeconds(30));
    }
}
