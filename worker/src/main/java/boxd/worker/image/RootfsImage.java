package boxd.worker.image;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;
import boxd.worker.HostCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The default root filesystem of a box: Debian from {@code debootstrap --variant=minbase} plus a few packages, a
 * {@code boxd} user with passwordless sudo and sshd set up for key-only login with no host keys baked in (each box makes
 * its own on first start). Kept under {@code imagesDir/rootfs-HASH/} as {@code root/} (the directory the ns runtime
 * uses as overlay lower) and {@code rootfs.ext4} (the vm runtime's disk), where HASH covers every input, so a changed
 * package list or setup script builds a new image and an unchanged one is found at once.
 *
 * <p>A build runs in {@code imagesDir/.tmp-rootfs-HASH-*} and is renamed into place only when complete, so an
 * interrupted build never looks finished; the next build removes such leftovers. Concurrent builders (two JVMs) take a
 * file lock, so the image is built once.
 */
public final class RootfsImage {

    /** Bumped when the layout or the build steps change in a way the inputs do not show. */
    private static final String FORMAT = "rootfs-v1";

    /** What goes into an image; every field is part of its hash. */
    public record Spec(String suite, List<String> packages, String mirror, String setupScript) {
        public Spec {
            packages = List.copyOf(packages);
        }

        public static Spec defaults() {
            return new Spec("bookworm",
                    List.of("openssh-server", "sudo", "iproute2", "curl", "ca-certificates", "python3", "git", "less",
                            "vim-tiny", "rsync"),
                    "http://deb.debian.org/debian", DEFAULT_SETUP);
        }
    }

    /** A finished image. {@code root} is the directory tree, {@code ext4} the same tree as a file system image. */
    public record Built(String hash, Path dir, Path root, Path ext4) {}

    /** Told about each phase of a build as it starts and how long the build has run so far. */
    @FunctionalInterface
    public interface Listener {
        void phase(String phase, Duration elapsed);

        Listener NONE = (p, e) -> { };
    }

    /** Runs inside the new root (chroot, /bin/sh) after debootstrap. */
    public static final String DEFAULT_SETUP = """
            set -e
            id boxd >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups sudo boxd
            # '*' (not '!') keeps the password unusable without sshd treating the account as locked
            usermod -p '*' boxd
            printf 'boxd ALL=(ALL) NOPASSWD:ALL\\n' > /etc/sudoers.d/boxd
            chmod 440 /etc/sudoers.d/boxd
            install -d -o boxd -g boxd -m 700 /home/boxd/.ssh
            rm -f /etc/ssh/ssh_host_*
            cat > /etc/ssh/sshd_config.d/boxd.conf <<'EOF'
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin no
            PubkeyAuthentication yes
            UseDNS no
            HostKey /etc/ssh/ssh_host_ed25519_key
            HostKey /etc/ssh/ssh_host_ecdsa_key
            EOF
            # the login banner is the static /etc/motd: Debian's per-login 'run-parts /etc/update-motd.d' (it prints
            # uname) costs every ssh session, exec and cp included, a shell and a process per script
            sed -i 's|^session *optional *pam_motd.so *motd=/run/motd.dynamic|# boxd: static motd only\\n#&|' /etc/pam.d/sshd
            grep -q '^# boxd: static motd only' /etc/pam.d/sshd
            printf '%s\\n' 'This is a boxd box: Debian with sudo for user boxd. Anything you serve on port 8000 is' \\
                'at https://NAME.ZONE (NAME is this host name); "ssh -p 2222 HOST" lists your boxes.' > /etc/motd
            echo boxd > /etc/hostname
            rm -f /etc/machine-id /var/lib/dbus/machine-id
            : > /etc/machine-id
            apt-get clean
            rm -rf /var/lib/apt/lists/* /var/log/*.log /var/cache/debconf/*-old
            """;

    private final Path imagesDir;
    private final Spec spec;
    private final String hash;

    public RootfsImage(Path imagesDir, Spec spec) {
        this.imagesDir = imagesDir.toAbsolutePath().normalize();
        this.spec = spec;
        this.hash = hashOf(spec);
    }

    public RootfsImage(Path imagesDir) {
        this(imagesDir, Spec.defaults());
    }

    /** {@return the first 16 hex digits of SHA-256 over the inputs} */
    public static String hashOf(Spec spec) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(FORMAT, spec.suite(), String.join(",", spec.packages()), spec.setupScript())) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String hash() { return hash; }

    public Spec spec() { return spec; }

    /** {@return where the finished image lives (whether or not it exists yet)} */
    public Path dir() { return imagesDir.resolve("rootfs-" + hash); }

    /** {@return the image when it was built before; cheap (a few file checks)} */
    public Optional<Built> cached() {
        Built b = built();
        return Files.isDirectory(b.root()) && Files.isRegularFile(b.ext4()) && Files.isRegularFile(b.dir().resolve("COMPLETE"))
                ? Optional.of(b) : Optional.empty();
    }

    private Built built() {
        Path d = dir();
        return new Built(hash, d, d.resolve("root"), d.resolve("rootfs.ext4"));
    }

    /** {@return the host tools a build needs that are missing, each with its Debian package} */
    public static List<String> missingTools() {
        return HostCommand.missing("debootstrap", "debootstrap", "mkfs.ext4", "e2fsprogs", "chroot", "coreutils");
    }

    /**
     * Returns the image, building it first when needed (minutes: debootstrap downloads and installs a few hundred
     * packages). Needs root.
     *
     * @throws BoxdException INTERNAL naming the missing tool or the failing step
     */
    public Built ensure(Listener listener) {
        Optional<Built> c = cached();
        if (c.isPresent()) return c.get();
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(imagesDir);
            try (FileChannel ch = FileChannel.open(imagesDir.resolve(".rootfs-" + hash + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lock(ch, listener, t0)) {
                c = cached();  // built by someone else while we waited
                if (c.isPresent()) return c.get();
                return build(listener, t0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the root filesystem image in " + imagesDir + ": " + e.getMessage(), e);
        }
    }

    private static FileLock lock(FileChannel ch, Listener listener, long t0) throws IOException {
        FileLock l = ch.tryLock();
        if (l != null) return l;
        listener.phase("waiting for another build of the same image", elapsed(t0));
        return ch.lock();
    }

    private Built build(Listener listener, long t0) throws IOException {
        List<String> missing = missingTools();
        if (!missing.isEmpty())
            throw new BoxdException(ErrorCode.INTERNAL, "cannot build the box root filesystem: missing host tools: "
                    + String.join(", ", missing), "install them and retry");
        removeLeftovers();
        Path tmp = imagesDir.resolve(".tmp-rootfs-" + hash + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
        Path root = tmp.resolve("root");
        Files.createDirectories(tmp);
        Path cache = imagesDir.resolve("debs");
        Files.createDirectories(cache);
        try {
            listener.phase("debootstrap " + spec.suite() + " (downloads and installs packages; about 1-3 minutes)", elapsed(t0));
            List<String> boot = new ArrayList<>(List.of("debootstrap", "--variant=minbase",
                    "--include=" + String.join(",", spec.packages()), "--cache-dir=" + cache, spec.suite(), root.toString()));
            if (spec.mirror() != null && !spec.mirror().isBlank()) boot.add(spec.mirror());
            HostCommand.run(boot, null, Duration.ofMinutes(20)).orThrow("debootstrap of " + spec.suite(),
                    "check that the Debian mirror is reachable; the log is in " + root.resolve("debootstrap/debootstrap.log"));
            unmountUnder(tmp);  // debootstrap may leave proc/sys mounted inside the target

            listener.phase("configuring (user boxd, sudo, sshd)", elapsed(t0));
            HostCommand.run(List.of("chroot", root.toString(), "/bin/sh", "-c", spec.setupScript()), null, Duration.ofMinutes(5))
                    .orThrow("the image setup script", "");
            unmountUnder(tmp);

            listener.phase("making the ext4 image (mkfs.ext4 -d)", elapsed(t0));
            long bytes = treeSize(root);
            long sizeMb = Math.max(1024, (bytes * 13 / 10) / (1 << 20) + 256);
            HostCommand.run(List.of("mkfs.ext4", "-q", "-F", "-L", "boxd-root", "-d", root.toString(),
                    tmp.resolve("rootfs.ext4").toString(), sizeMb + "M"), null, Duration.ofMinutes(10))
                    .orThrow("mkfs.ext4 -d of the root filesystem", "");
            Files.writeString(tmp.resolve("COMPLETE"), "hash " + hash + "\nsuite " + spec.suite() + "\npackages "
                    + String.join(",", spec.packages()) + "\n");

            // an older image with the same hash but without COMPLETE would block the rename; it is garbage
            if (Files.exists(dir())) deleteTree(dir());
            Files.move(tmp, dir(), StandardCopyOption.ATOMIC_MOVE);
            listener.phase("done", elapsed(t0));
            return built();
        } catch (RuntimeException | IOException e) {
            try {
                unmountUnder(tmp);
                deleteTree(tmp);
            } catch (RuntimeException | IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void removeLeftovers() throws IOException {
        try (var s = Files.list(imagesDir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-rootfs-" + hash + "-")).toList()) {
                unmountUnder(p);
                deleteTree(p);
            }
        }
    }

    /** Unmounts (lazily, deepest first) whatever the host has mounted under {@code dir}. */
    static void unmountUnder(Path dir) {
        List<String> points = HostCommand.mountPointsUnder(dir);
        for (String m : points.reversed()) {
            HostCommand.run(List.of("umount", "-l", m), null, Duration.ofSeconds(30));
        }
        if (!HostCommand.mountPointsUnder(dir).isEmpty())
            throw new BoxdException(ErrorCode.INTERNAL, "cannot unmount " + HostCommand.mountPointsUnder(dir) + " under " + dir,
                    "unmount them by hand, then retry");
    }

    static void deleteTree(Path p) throws IOException {
        if (!HostCommand.mountPointsUnder(p).isEmpty())
            throw new IOException("refusing to delete " + p + ": something is still mounted under it");
        HostCommand.run(List.of("rm", "-rf", "--one-file-system", p.toString()), null, Duration.ofMinutes(5))
                .orThrow("removing " + p, "");
    }

    private static long treeSize(Path root) {
        String out = HostCommand.run(List.of("du", "-sb", "--one-file-system", root.toString()), null, Duration.ofMinutes(2))
                .orThrow("du of the image", "").stdout();
        return Long.parseLong(out.strip().split("\\s+")[0]);
    }

    private static Duration elapsed(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
