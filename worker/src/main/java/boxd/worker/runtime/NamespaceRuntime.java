package boxd.worker.runtime;

import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.common.ErrorCode;
import boxd.worker.HostCommand;
import boxd.worker.net.BoxNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The namespace runtime: a box is the image directory as the read-only lower of an overlayfs whose upper lives on the
 * box's own ext4 disk file (so the disk size is a hard limit), run in fresh pid/mount/uts/ipc/net namespaces under a
 * cgroup, with a veth on the bridge, and {@code sshd -D} as its PID 1.
 *
 * <p>Per box, {@code DataDir.box(id)} holds {@code disk.ext4} (sparse), {@code stage2.sh} (what runs inside the new
 * namespaces), {@code fstab} (its mounts, made by one {@code mount -a}), {@code authorized_keys},
 * {@code image} (the lower it was created on), {@code pid} (the launcher's pid
 * and start time, for adoption after a worker restart) and {@code console.log}. Every mount of a box is made inside
 * its private mount namespace, so it vanishes with the box's processes and none is left on the host.
 *
 * <p>The launcher is {@code setsid unshare ... --kill-child}: a separate session with stdio on files, so boxes keep
 * running while the worker process is down, and killing the launcher kills the whole box.
 */
public final class NamespaceRuntime implements BoxRuntime {
    private static final Logger log = LoggerFactory.getLogger(NamespaceRuntime.class);
    private static final int MAX_PIDS = 4096;

    private final DataDir dataDir;
    private final BoxNetwork network;
    private final Path imageRoot;
    private final Cgroups cgroups;
    private final Duration sshTimeout;
    private volatile boolean bridgeReady;

    /**
     * @param imageRoot the image directory new boxes use as their lower layer ({@code RootfsImage.Built.root()})
     */
    public NamespaceRuntime(DataDir dataDir, BoxNetwork network, Path imageRoot, Cgroups cgroups, Duration sshTimeout) {
        this.dataDir = dataDir;
        this.network = network;
        this.imageRoot = imageRoot.toAbsolutePath().normalize();
        this.cgroups = cgroups;
        this.sshTimeout = sshTimeout;
    }

    public NamespaceRuntime(DataDir dataDir, BoxNetwork network, Path imageRoot) {
        this(dataDir, network, imageRoot, hostCgroups(), Duration.ofSeconds(30));
    }

    /** The host's cgroups at /sys/fs/cgroup, mounted there first when this mount namespace lacks them. */
    private static Cgroups hostCgroups() {
        Path base = Path.of("/sys/fs/cgroup");
        try {
            List<String> ran = CgroupMounts.mountMissing(base);
            if (!ran.isEmpty())
                log.info("no cgroups were mounted at {} in this mount namespace (ip netns exec mounts a fresh /sys); "
                        + "mounted the host's: {}", base, String.join("; ", ran));
        } catch (BoxdException e) {
            log.warn("{} ({})", e.getMessage(), e.hint());  // box starts then fail naming the missing controller
        }
        return new Cgroups(base);
    }

    /** {@return the host tools this runtime needs that are missing, each with its Debian package} */
    public static List<String> missingTools() {
        return HostCommand.missing("unshare", "util-linux", "setsid", "util-linux", "pivot_root", "util-linux",
                "mount", "mount", "losetup", "mount", "ip", "iproute2", "mkfs.ext4", "e2fsprogs",
                "bash", "bash");
    }

    @Override
    public String name() { return "ns"; }

    public BoxNetwork network() { return network; }

    public Cgroups cgroups() { return cgroups; }

    private Path dir(String id) { return dataDir.box(id); }

    /**
     * Makes the box's disk: a sparse ext4 file of the box's disk size, formatted with {@code mkfs.ext4 -d} from a
     * staged upper layer that already holds what is fixed for the box's life (its own sshd host keys, identity files,
     * the boxd user's .ssh), so that starting it runs as few processes as possible.
     */
    @Override
    public void create(BoxLaunch box) {
        Path d = dir(box.id());
        Path disk = d.resolve("disk.ext4");
        if (Files.exists(disk)) return;
        Path staging = d.resolve("staging");
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(d.resolve("disk"));
            Files.createDirectories(d.resolve("root"));
            Files.writeString(d.resolve("image"), imageRoot + "\n");
            if (Files.exists(staging, java.nio.file.LinkOption.NOFOLLOW_LINKS)) removeTree(staging);  // left by a crashed create
            stageUpper(box, staging);
            long tStaged = System.nanoTime();
            Path tmp = d.resolve("disk.ext4.tmp");
            Files.deleteIfExists(tmp);
            HostCommand.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-L", "boxd-upper", "-d", staging.toString(),
                            "-E", "lazy_itable_init=1,lazy_journal_init=1", tmp.toString(), box.spec().diskGb() + "G"),
                    null, Duration.ofSeconds(60))
                    .orThrow("formatting the disk of box " + box.name(), "apt-get install e2fsprogs");
            Files.move(tmp, disk, StandardCopyOption.ATOMIC_MOVE);
            long tDisk = System.nanoTime();
            removeTree(staging);
            log.debug("box {} ({}) created in {} ms (stage upper + host keys {}, mkfs {}, cleanup {})", box.name(), box.id(),
                    ms(System.nanoTime() - t0), ms(tStaged - t0), ms(tDisk - tStaged), ms(System.nanoTime() - tDisk));
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot create box " + box.name() + " in " + d + ": " + e.getMessage(),
                    "check free space and permissions of the data directory", e);
        }
    }

    /** Builds {@code staging/upper} (the overlay upper layer) and {@code staging/work}. */
    private void stageUpper(BoxLaunch box, Path staging) throws IOException {
        Path lower = imageRoot;
        int[] ids = boxdUser(lower);
        Path up = staging.resolve("upper");
        Files.createDirectories(staging.resolve("work"));
        Files.createDirectories(up);
        copyAttrs(lower, up);
        // directories in the upper layer hide the lower's owner and mode: give each the lower's
        for (String rel : List.of("etc", "etc/ssh", "home", "home/boxd", "run", "dev", "mnt")) {
            Path p = up.resolve(rel);
            Files.createDirectories(p);
            if (Files.exists(lower.resolve(rel))) copyAttrs(lower.resolve(rel), p);
        }
        Files.createDirectories(up.resolve("run/sshd"));
        Path ssh = up.resolve("home/boxd/.ssh");
        Files.createDirectories(ssh);
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        chown(ssh, ids);
        Path ak = ssh.resolve("authorized_keys");
        Files.writeString(ak, BoxFiles.authorizedKeys(box.authorizedKeys()));
        Files.setPosixFilePermissions(ak, PosixFilePermissions.fromString("rw-------"));
        chown(ak, ids);
        Files.writeString(up.resolve("etc/hostname"), box.name() + "\n");
        // /dev comes from the image (null, zero, ...); ptmx must be the box's own devpts instance, console must not
        // reach the host's console: a whiteout (char 0:0) hides it
        Files.createSymbolicLink(up.resolve("dev/ptmx"), Path.of("pts/ptmx"));
        Process wh = new ProcessBuilder("mknod", up.resolve("dev/console").toString(), "c", "0", "0")
                .redirectErrorStream(true).start();
        // this box's own sshd host keys, made in this process while mknod runs
        HostKeys.write(up.resolve("etc/ssh"), "root@" + box.name());
        for (Process p : List.of(wh)) {
            try {
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    throw new BoxdException(ErrorCode.INTERNAL, "preparing box " + box.name() + " failed: "
                            + String.join(" ", p.info().commandLine().orElse("mknod")) + ": " + out.strip(),
                            "apt-get install coreutils");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BoxdException(ErrorCode.INTERNAL, "interrupted while preparing box " + box.name());
            }
        }
    }

    private static void copyAttrs(Path from, Path to) throws IOException {
        var a = Files.readAttributes(from, java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(to, a.permissions());
        Files.setAttribute(to, "unix:uid", Files.getAttribute(from, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        Files.setAttribute(to, "unix:gid", Files.getAttribute(from, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private static void chown(Path p, int[] ids) throws IOException {
        Files.setAttribute(p, "unix:uid", ids[0]);
        Files.setAttribute(p, "unix:gid", ids[1]);
    }

    /** Removes the staging tree (a few files this runtime made, never a mount point) without starting a process. */
    private static void removeTree(Path root) throws IOException {
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(dir);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void start(BoxLaunch box) {
        if (inspect(box.id()).phase() == RuntimeState.Phase.RUNNING) return;
        create(box);
        Path d = dir(box.id());
        long t0 = System.nanoTime();
        try {
            Path lower = lowerOf(box.id());
            if (!Files.isDirectory(lower.resolve("etc")))
                throw new BoxdException(ErrorCode.INTERNAL, "the image of box " + box.name() + " is missing at " + lower,
                        "rebuild the image (boxd image build) or destroy the box");
            if (!bridgeReady) {
                network.ensureBridge();
                bridgeReady = true;
            }
            cleanupProcesses(box.id());
            cgroups.create(box.id(), box.spec().cpus(), box.spec().memoryMb(), MAX_PIDS);
            writeKeysFile(d, box.authorizedKeys());
            Files.writeString(d.resolve("fstab"), fstab(d, lower));
            Files.writeString(d.resolve("stage2.sh"), stage2(box, d, lower));
            Files.writeString(d.resolve("console.log"), "--- start " + Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);

            ProcessBuilder pb = new ProcessBuilder("setsid", "sh", "-c", cgroups.joinSnippet(box.id())
                    + "exec unshare --fork --pid --mount --uts --ipc --net --propagation private --kill-child -- /bin/sh "
                    + d.resolve("stage2.sh"));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("console.log").toFile()));
            pb.redirectErrorStream(true);
            pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            long tLaunch = System.nanoTime();
            long stage2Ms = 0;
            Process p = pb.start();
            ProcessHandle launcher = p.toHandle();
            Files.writeString(d.resolve("pid"), launcher.pid() + " " + startMillis(launcher) + "\n");

            // the namespaces exist once unshare has forked its child (the box's PID 1)
            ProcessHandle init = awaitChild(launcher, box);
            try {
                network.attach(box.id(), init.pid());
            } catch (BoxdException e) {
                bridgeReady = false;  // the bridge may have gone (recreated namespace): make it again next time
                throw e;
            }
            long tAttached = System.nanoTime();
            // the banner wait starts connecting once PID 1 has become sshd (stage2 done); meanwhile watch for failure
            Process probe = network.startSshBannerWait(box.ipv4(), 22, sshTimeout, init.pid());
            boolean answered;
            try {
                awaitExec(init, box);
                long tExec = System.nanoTime();
                answered = probe.waitFor(sshTimeout.toMillis() + 5000, java.util.concurrent.TimeUnit.MILLISECONDS)
                        && probe.exitValue() == 0;
                stage2Ms = ms(tExec - tAttached);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answered = false;
            } finally {
                probe.destroyForcibly();
            }
            if (!answered) {
                String tail = consoleTail(box.id());
                stop(box.id());
                throw new BoxdException(ErrorCode.INTERNAL, "box " + box.name() + " started but its sshd did not answer on "
                        + box.ipv4() + ":22 within " + sshTimeout.toSeconds() + " s; console: " + tail,
                        "see " + d.resolve("console.log"));
            }
            long tEnd = System.nanoTime();
            log.debug("box {} ({}) running at {} after {} ms (prepare {}, launch+attach {}, stage2 {}, then sshd banner {})",
                    box.name(), box.id(), box.ipv4(), ms(tEnd - t0), ms(tLaunch - t0), ms(tAttached - tLaunch),
                    stage2Ms, ms(tEnd - tAttached) - stage2Ms);
        } catch (IOException e) {
            stop(box.id());
            throw new BoxdException(ErrorCode.INTERNAL, "cannot start box " + box.name() + ": " + e.getMessage(), "", e);
        } catch (RuntimeException e) {
            try {
                stop(box.id());  // never leave a half-started box running (stop is idempotent)
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private ProcessHandle awaitChild(ProcessHandle launcher, BoxLaunch box) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> c = firstChild(launcher);
            if (c.isPresent()) return c.get();
            if (!launcher.isAlive()) {
                String tail = consoleTail(box.id());
                stop(box.id());
                throw new BoxdException(ErrorCode.INTERNAL, "box " + box.name() + " exited while starting: " + tail,
                        "see " + dir(box.id()).resolve("console.log"));
            }
            sleepMs(2);
        }
        stop(box.id());
        throw new BoxdException(ErrorCode.INTERNAL, "box " + box.name() + " did not start its namespaces within 10 s", "");
    }

    /**
     * {@return the first child of a single-threaded process} From its {@code /proc/PID/task/PID/children} (one small
     * read: polled every few ms while a box starts, where {@link ProcessHandle#children()} scans every process).
     */
    private static Optional<ProcessHandle> firstChild(ProcessHandle h) {
        String pid = Long.toString(h.pid());
        String s;
        try {
            s = Files.readString(Path.of("/proc", pid, "task", pid, "children")).strip();
        } catch (IOException | RuntimeException e) {
            return h.children().findFirst();  // kernel without CONFIG_PROC_CHILDREN, or the process is gone
        }
        if (s.isEmpty()) return Optional.empty();
        int sp = s.indexOf(' ');
        return ProcessHandle.of(Long.parseLong(sp < 0 ? s : s.substring(0, sp)));
    }

    /** Waits until the box's PID 1 has become sshd (stage2 is done: mounts, keys and network are set up). */
    private void awaitExec(ProcessHandle init, BoxLaunch box) {
        Path comm = Path.of("/proc", Long.toString(init.pid()), "comm");
        long deadline = System.nanoTime() + sshTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            String c;
            try {
                c = Files.readString(comm).strip();
            } catch (IOException e) {
                c = "";
            }
            if (c.equals("sshd")) return;
            if (!init.isAlive()) {
                String tail = consoleTail(box.id());
                stop(box.id());
                throw new BoxdException(ErrorCode.INTERNAL, "box " + box.name() + " failed while starting: " + tail,
                        "see " + dir(box.id()).resolve("console.log"));
            }
            sleepMs(3);
        }
    }

    /** The script run as PID 1 in the new namespaces: mounts, identity, keys, network, pivot_root, then sshd. */
    private String stage2(BoxLaunch box, Path d, Path lower) {
        return """
                set -eu
                B='%1$s'; R="$B/root"
                # as few processes as possible: each costs milliseconds (many on a loaded host); builtins cost none
                echo '%2$s' > /proc/sys/kernel/hostname
                # disk (loop), overlay root, proc, sys, devpts, shm: one mount process for all, in order
                mount -a -T "$B/fstab"
                echo '%2$s' > "$R/etc/hostname"
                printf '127.0.0.1\tlocalhost\n127.0.1.1\t%2$s\n::1\tlocalhost ip6-localhost\n' > "$R/etc/hosts"
                printf 'nameserver %6$s\n' > "$R/etc/resolv.conf"
                { while IFS= read -r l || [ -n "$l" ]; do printf '%%s\n' "$l"; done < "$B/authorized_keys"; } > "$R/home/boxd/.ssh/authorized_keys"
                i=0
                while [ ! -e "$R/sys/class/net/eth0" ]; do
                  i=$((i+1)); [ $i -lt 2000 ] || { echo 'boxd: eth0 never appeared' >&2; exit 1; }; sleep 0.005
                done
                ip -batch - <<EOF
                link set lo up
                addr add %4$s/%5$d dev eth0
                link set eth0 up
                route add default via %6$s
                EOF
                cd "$R"
                pivot_root . mnt
                umount -l /mnt
                exec /usr/sbin/sshd -D -e
                """.formatted(d, box.name(), lower, box.ipv4(), box.prefixLength(), box.gateway());
    }

    /**
     * The box's mounts in order, for {@code mount -a -T} in stage2 (one process instead of one per mount): the disk on
     * a loop device, the overlay root on it, then proc, sys, devpts and shm inside the root.
     */
    static String fstab(Path d, Path lower) {
        String b = d.toString(), r = b + "/root";
        String overlay = "lowerdir=" + lower + ",upperdir=" + b + "/disk/upper,workdir=" + b + "/disk/work";
        return String.join("\n",
                fstabLine(b + "/disk.ext4", b + "/disk", "ext4", "loop,noatime"),
                fstabLine("overlay", r, "overlay", overlay),
                fstabLine("proc", r + "/proc", "proc", "nosuid,nodev,noexec"),
                fstabLine("sysfs", r + "/sys", "sysfs", "ro,nosuid,nodev,noexec"),
                fstabLine("devpts", r + "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=620,gid=5"),
                fstabLine("tmpfs", r + "/dev/shm", "tmpfs", "mode=1777,nosuid,nodev")) + "\n";
    }

    private static String fstabLine(String what, String where, String type, String options) {
        return fstabEscape(what) + " " + fstabEscape(where) + " " + type + " " + fstabEscape(options) + " 0 0";
    }

    /** fstab fields are separated by blanks: octal escapes as in fstab(5) and mountinfo */
    private static String fstabEscape(String s) {
        return s.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011").replace("\n", "\\012");
    }

    @Override
    public void stop(String boxId) {
        Optional<ProcessHandle> l = launcher(boxId);
        l.ifPresent(h -> {
            h.destroyForcibly();  // --kill-child takes PID 1 and so the whole pid namespace with it
            try {
                h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // cleanupProcesses kills whatever is left
            }
        });
        cleanupProcesses(boxId);
        network.detach(boxId);
        awaitDiskReleased(boxId);
        try {
            Files.deleteIfExists(dir(boxId).resolve("pid"));
        } catch (IOException ignored) {
            // dir gone
        }
    }

    /** Kills any process left in the box's cgroup and removes the cgroup. */
    private void cleanupProcesses(String boxId) {
        cgroups.destroy(boxId);
    }

    /** The loop device behind the disk detaches once the box's mount namespace is gone; wait for that. */
    private void awaitDiskReleased(String boxId) {
        Path disk = dir(boxId).resolve("disk.ext4");
        if (!Files.exists(disk)) return;
        for (int i = 0; i < 250; i++) {
            HostCommand.Result r = HostCommand.run(List.of("losetup", "-j", disk.toString()), null, Duration.ofSeconds(5));
            if (r.stdout().isBlank()) return;
            sleepMs(20);
        }
        log.warn("the disk of box {} is still attached to a loop device: {}", boxId,
                HostCommand.run(List.of("losetup", "-j", disk.toString()), null, Duration.ofSeconds(5)).stdout().strip());
    }

    @Override
    public void destroy(String boxId) {
        stop(boxId);
        Path d = dir(boxId);
        if (!Files.exists(d)) return;
        for (String m : HostCommand.mountPointsUnder(d).reversed()) {
            HostCommand.run(List.of("umount", "-l", m), null, Duration.ofSeconds(20));
        }
        // detach a loop device that still holds the disk, so its space is freed
        HostCommand.Result r = HostCommand.run(List.of("losetup", "-j", d.resolve("disk.ext4").toString()), null, Duration.ofSeconds(5));
        for (String line : r.stdout().split("\n")) {
            if (line.contains(":")) HostCommand.run(List.of("losetup", "-d", line.substring(0, line.indexOf(':'))), null, Duration.ofSeconds(5));
        }
        if (!HostCommand.mountPointsUnder(d).isEmpty())
            throw new BoxdException(ErrorCode.INTERNAL, "cannot remove box " + boxId + ": still mounted under " + d + ": "
                    + HostCommand.mountPointsUnder(d), "unmount them and destroy again");
        BoxFiles.remove(d);
    }

    @Override
    public RuntimeState inspect(String boxId) {
        Optional<ProcessHandle> l = launcher(boxId);
        if (l.isPresent()) return new RuntimeState(RuntimeState.Phase.RUNNING, "pid " + l.get().pid());
        if (Files.exists(dir(boxId).resolve("disk.ext4"))) return new RuntimeState(RuntimeState.Phase.STOPPED, "not running");
        if (Files.exists(dir(boxId)) || !cgroups.pids(boxId).isEmpty() || cgroups.list().contains(boxId))
            return new RuntimeState(RuntimeState.Phase.STOPPED, "partly created");
        return RuntimeState.absent();
    }

    @Override
    public boolean adopt(BoxLaunch box) {
        if (launcher(box.id()).isEmpty()) {
            // nothing of it runs; clean up leftovers of a crashed start so start() begins afresh
            if (Files.exists(dir(box.id()).resolve("pid")) || !cgroups.pids(box.id()).isEmpty()) stop(box.id());
            return false;
        }
        if (!network.attached(box.id())) {
            log.info("box {} runs but its veth is gone (bridge recreated?): restarting it", box.name());
            stop(box.id());
            return false;
        }
        // killed mid-start, or sshd died: a box is only adopted as running when its sshd answers
        if (!network.awaitSshBanner(box.ipv4(), 22, Duration.ofSeconds(5))) {
            log.info("box {} runs but its sshd does not answer: restarting it", box.name());
            stop(box.id());
            return false;
        }
        updateKeys(box.id(), box.authorizedKeys());
        return true;
    }

    @Override
    public void updateKeys(String boxId, List<String> authorizedKeys) {
        Path d = dir(boxId);
        if (!Files.isDirectory(d)) return;
        try {
            writeKeysFile(d, authorizedKeys);
            Optional<ProcessHandle> init = launcher(boxId).flatMap(h -> h.children().findFirst());
            if (init.isEmpty()) return;
            Path sshDir = Path.of("/proc", Long.toString(init.get().pid()), "root", "home", "boxd", ".ssh");
            if (!Files.isDirectory(sshDir)) return;  // still starting: stage2 installs the file
            int[] ids = boxdUser(lowerOf(boxId));
            Path tmp = sshDir.resolve(".authorized_keys.boxd-tmp");
            Files.writeString(tmp, BoxFiles.authorizedKeys(authorizedKeys));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            chown(tmp, ids);
            Files.move(tmp, sshDir.resolve("authorized_keys"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot update the SSH keys of box " + boxId + ": " + e.getMessage(), "", e);
        }
    }

    /** Boxes outlive the worker; only when none is left on the host do the shared cgroup parents go too. */
    @Override
    public void close() {
        cgroups.removeParentsIfUnused();
    }

    @Override
    public List<String> list() {
        // only this data dir's boxes: the cgroup parent is shared by every worker on the host (a second serve, a test),
        // and counting its children would make this worker destroy their boxes as orphans. stop() removes a box's
        // cgroup before destroy() removes its directory, so a box half torn down is still listed here.
        return BoxFiles.list(dataDir, List.of());
    }

    /** {@return the PID 1 of the running box (in the host's pid namespace)} */
    public Optional<Long> initPid(String boxId) {
        return launcher(boxId).flatMap(h -> h.children().findFirst()).map(ProcessHandle::pid);
    }

    /** {@return the box's launcher process, when the one recorded in its pid file still runs} */
    private Optional<ProcessHandle> launcher(String boxId) {
        Path f = dir(boxId).resolve("pid");
        if (!Files.exists(f)) return Optional.empty();
        try {
            String[] parts = Files.readString(f).strip().split(" ");
            long pid = Long.parseLong(parts[0]);
            long started = parts.length > 1 ? Long.parseLong(parts[1]) : -1;
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(h -> started < 0 || startMillis(h) == started)  // not a recycled pid
                    .filter(h -> h.info().commandLine().map(c -> c.contains(boxId)).orElse(true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) / 1000;  // seconds: stable across readers
    }

    private Path lowerOf(String boxId) throws IOException {
        Path f = dir(boxId).resolve("image");
        return Files.exists(f) ? Path.of(Files.readString(f).strip()) : imageRoot;
    }

    private static void writeKeysFile(Path d, List<String> keys) throws IOException {
        Path tmp = d.resolve("authorized_keys.tmp");
        Files.writeString(tmp, BoxFiles.authorizedKeys(keys));
        Files.move(tmp, d.resolve("authorized_keys"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@return uid and gid of user boxd in the image} */
    private static int[] boxdUser(Path lower) {
        try {
            for (String l : Files.readAllLines(lower.resolve("etc/passwd"))) {
                String[] f = l.split(":");
                if (f.length > 3 && f[0].equals("boxd")) return new int[]{Integer.parseInt(f[2]), Integer.parseInt(f[3])};
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through
        }
        throw new BoxdException(ErrorCode.INTERNAL, "the image at " + lower + " has no user boxd", "rebuild the image");
    }

    private String consoleTail(String boxId) {
        return BoxFiles.consoleTail(dir(boxId).resolve("console.log"), 600);
    }

    private static long ms(long nanos) { return nanos / 1_000_000; }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BoxdException(ErrorCode.INTERNAL, "interrupted");
        }
    }
}
