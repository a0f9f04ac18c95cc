package boxd.worker.vm;

import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.common.ErrorCode;
import boxd.vmm.Vm;
import boxd.vmm.VmExit;
import boxd.vmm.VmmBuilder;
import boxd.vmm.config.BlockConfig;
import boxd.vmm.config.BootConfig;
import boxd.vmm.config.ConsoleConfig;
import boxd.vmm.config.MachineConfig;
import boxd.vmm.config.NetConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.io.EventLoop;
import boxd.vmm.kvm.KvmKind;
import boxd.worker.HostCommand;
import boxd.worker.net.BoxNetwork;
import boxd.worker.runtime.BoxFiles;
import boxd.worker.runtime.BoxLaunch;
import boxd.worker.runtime.BoxRuntime;
import boxd.worker.runtime.RuntimeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The vm runtime: every box is a microVM on the boxd VMM, hosted in this worker's JVM (one set of vCPU threads per
 * box, one shared device event loop, no process per box). A box boots the guest kernel that {@code boxd image build}
 * made, with its own root disk ({@code /dev/vda}: a copy-on-write overlay in the box's directory over a shared
 * read-only base, the image's {@code rootfs.ext4} grown to the box's disk size with the guest init written in, made once
 * per image, size and guest init in {@code DataDir.images()/vm-base/} ({@link VmBaseDisks}); the size is a hard limit;
 * boxes made before copy-on-write disks keep their full copy {@code root.ext4}), a small config disk ({@code /dev/vdb}:
 * hostname, keys, host keys), a tap on the bridge, its address from the kernel's {@code ip=} autoconfiguration, and
 * {@link VmBoxFiles#GUEST_INIT} as PID 1, which installs the config and becomes {@code sshd -D}. vCPUs and memory come
 * from the box's size. The serial console is appended to {@code DataDir.box(id)/console.log}. See {@link VmBoxFiles}
 * for the per-box files. Keys changed while a box runs reach it through its config disk, rewritten in place
 * ({@link #updateKeys}).
 *
 * <p>A box is RUNNING only once its sshd answers on {@code ipv4:22}. VMs cannot outlive the worker process: after a
 * restart {@link #adopt} finds nothing running and the worker starts the box again from its disk; {@link #close}
 * stops every VM. A VM that fails (guest crash, emulation failure, a device error) ends alone: it is closed, its tap
 * goes with it, and the box reads STOPPED.
 */
public final class VmRuntime implements BoxRuntime {
    private static final Logger log = LoggerFactory.getLogger(VmRuntime.class);

    private final DataDir dataDir;
    private final BoxNetwork network;
    private final Path kernel;
    private final Path imageExt4;
    private final Duration sshTimeout;
    private final VmBaseDisks bases;
    private final EventLoop loop = new EventLoop("vm-runtime-io");
    private final Map<String, Running> vms = new ConcurrentHashMap<>();
    private volatile boolean bridgeReady;
    private volatile boolean closed;

    /** One booted box. */
    private record Running(String boxId, Vm vm, OutputStream console, String tap, CountDownLatch sshdStarting,
                           BoxLaunch launch) {}

    /** What the guest init prints on the console just before it becomes sshd. */
    static final String SSHD_STARTING = "boxd-init: starting sshd";

    /**
     * @param kernel     the guest kernel (vmlinux or bzImage), e.g. {@code WorkerConfig.guestKernel()}
     * @param imageExt4  the root image new boxes copy ({@code RootfsImage.Built.ext4()})
     * @param sshTimeout how long a start waits for the box's sshd
     */
    public VmRuntime(DataDir dataDir, BoxNetwork network, Path kernel, Path imageExt4, Duration sshTimeout) {
        this.dataDir = dataDir;
        this.network = network;
        this.kernel = kernel.toAbsolutePath().normalize();
        this.imageExt4 = imageExt4.toAbsolutePath().normalize();
        this.sshTimeout = sshTimeout;
        this.bases = VmBaseDisks.in(dataDir);
    }

    public VmRuntime(DataDir dataDir, BoxNetwork network, Path kernel, Path imageExt4) {
        this(dataDir, network, kernel, imageExt4, Duration.ofSeconds(60));
    }

    /**
     * {@return why this host cannot run vm boxes with this kernel (each with what to do), empty when it can}. PVM is
     * not a reason here: the kernel boots (slowly, emulated) though userspace does not run; {@code doctor} tells.
     */
    public static List<String> unavailableReasons(Path kernel) {
        List<String> reasons = new ArrayList<>(VmDisks.missingTools());
        if (!Files.exists(Path.of("/dev/kvm")))
            reasons.add("/dev/kvm is missing (load kvm_intel or kvm_amd, or use --runtime=ns)");
        else if (!Files.isReadable(Path.of("/dev/kvm")) || !Files.isWritable(Path.of("/dev/kvm")))
            reasons.add("/dev/kvm is not accessible to this user (run as root or join group kvm)");
        if (kernel == null || !Files.isReadable(kernel))
            reasons.add("no guest kernel at " + kernel + " (build it with 'boxd image build kernel')");
        return reasons;
    }

    @Override
    public String name() { return "vm"; }

    public BoxNetwork network() { return network; }

    public Path kernel() { return kernel; }

    private VmBoxFiles files(String id) { return new VmBoxFiles(dataDir.box(id)); }

    /**
     * Makes the box's sshd host keys and its root disk: a copy-on-write overlay over the shared base for its image and
     * disk size (made first when no box used it yet: seconds; the overlay alone takes milliseconds).
     */
    @Override
    public void create(BoxLaunch box) {
        VmBoxFiles f = files(box.id());
        try {
            Files.createDirectories(f.dir());
            VmDisks.makeHostKeys(f, box.name());
            if (Files.exists(f.rootOverlay()) || Files.exists(f.legacyRootDisk())) return;
            if (!Files.isRegularFile(imageExt4))
                throw new BoxdException(ErrorCode.INTERNAL, "the root image " + imageExt4 + " is missing",
                        "build it with 'boxd image build rootfs'");
            Files.writeString(f.image(), imageExt4 + "\n");
            VmDisks.makeRootOverlay(bases, imageExt4, f, box.spec().diskGb(), box.name());
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot create box " + box.name() + " in " + f.dir() + ": "
                    + e.getMessage(), "check free space and permissions of the data directory", e);
        }
    }

    @Override
    public void start(BoxLaunch box) {
        if (isRunning(box.id())) return;
        long t0 = System.nanoTime();
        Running r = boot(box);
        boolean answered = false;
        long deadline = t0 + sshTimeout.toNanos();
        try {
            // probing before the guest has its address costs an ARP timeout (seconds): wait for the guest init's
            // "starting sshd" line first (or the deadline), then for the banner
            while (System.nanoTime() < deadline && r.vm().exit().isEmpty() && !r.sshdStarting().await(50, TimeUnit.MILLISECONDS)) {
                // waiting
            }
            if (r.vm().exit().isEmpty()) {
                long left = Math.max(1000, (deadline - System.nanoTime()) / 1_000_000);
                Process probe = network.startSshBannerWait(box.ipv4(), 22, Duration.ofMillis(left), 0);
                try {
                    long end = System.nanoTime() + (left + 5000) * 1_000_000L;
                    while (System.nanoTime() < end && r.vm().exit().isEmpty()) {
                        if (probe.waitFor(20, TimeUnit.MILLISECONDS)) {
                            answered = probe.exitValue() == 0;
                            break;
                        }
                    }
                } finally {
                    probe.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!answered) {
            String why = r.vm().exit().map(x -> "the VM ended (" + x.reason() + ": " + x.detail() + ")")
                    .orElse("its sshd did not answer on " + box.ipv4() + ":22 within " + sshTimeout.toSeconds() + " s");
            String kind = r.vm().pvmWorkarounds()
                    ? " (this host's KVM is PVM: an ordinary guest is emulated and its userspace cannot run; use --runtime=ns)" : "";
            stop(box.id());
            throw new BoxdException(ErrorCode.INTERNAL, "box " + box.name() + " booted but " + why + kind + "; console: "
                    + consoleTail(box.id()), "see " + files(box.id()).console());
        }
        log.debug("vm box {} ({}) running at {} after {} ms", box.name(), box.id(), box.ipv4(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Creates (when needed) and boots the box's VM with its tap on the bridge, without waiting for anything in the
     * guest. {@link #start} is this plus the wait for sshd; the slow tier uses it alone to watch a boot under PVM.
     * {@return the running VM (already started)}
     */
    public Vm bootVm(BoxLaunch box) {
        if (isRunning(box.id())) return vms.get(box.id()).vm();
        return boot(box).vm();
    }

    private Running boot(BoxLaunch box) {
        if (closed) throw new BoxdException(ErrorCode.INTERNAL, "the vm runtime is closed", "restart the worker");
        create(box);
        VmBoxFiles f = files(box.id());
        String tap = VmBoxFiles.tapName(box.id());
        OutputStream console = null;
        Vm vm = null;
        try {
            if (!Files.isReadable(kernel))
                throw new BoxdException(ErrorCode.INTERNAL, "no guest kernel at " + kernel, "build it with 'boxd image build kernel'");
            if (!bridgeReady) {
                network.ensureBridge();
                bridgeReady = true;
            }
            removeTap(tap);  // a leftover of a crashed start would make the new one land elsewhere
            VmDisks.makeConfigDisk(box, f);
            console = new LineFlushingOutputStream(new FileOutputStream(f.console().toFile(), true));
            console.write(("--- start " + Instant.now() + " (vm, " + box.spec().cpus() + " vCPU, " + box.spec().memoryMb()
                    + " MiB, kvm " + KvmKind.detect().label() + ")\n").getBytes(StandardCharsets.UTF_8));
            console.flush();
            VmConfig cfg = VmConfig.of("box-" + box.name(),
                            new MachineConfig(box.spec().cpus(), (long) box.spec().memoryMb() << 20, false),
                            new BootConfig(kernel, null, VmCommandLine.of(box)))
                    .withDisks(List.of(VmDisks.rootDiskConfig(f), new BlockConfig(f.configDisk(), true, "boxd-config")))
                    .withNet(new NetConfig(tap, VmBoxFiles.mac(box.id())))
                    .withConsole(new ConsoleConfig(console, null));
            vm = new VmmBuilder(cfg).eventLoop(loop).build();  // opens (creates) the tap in this process's namespace
            attachTap(tap, box);
            Running r = new Running(box.id(), vm, console, tap, new CountDownLatch(1), box);
            vm.onConsoleLine(line -> {
                if (line.contains(SSHD_STARTING)) r.sshdStarting().countDown();
            });
            vms.put(box.id(), r);
            vm.onExit().whenComplete((exit, err) -> onVmExit(r, exit));
            vm.start();
            return r;
        } catch (IOException | RuntimeException e) {
            Running r = vms.remove(box.id());
            if (vm != null) closeQuietly(vm);
            if (console != null) closeQuietly(console);
            removeTap(tap);
            if (r != null && r.vm() != vm) closeQuietly(r.vm());
            if (e instanceof BoxdException be) throw be;
            throw new BoxdException(ErrorCode.INTERNAL, "cannot boot box " + box.name() + " on the VMM: " + e.getMessage(),
                    "see " + f.console() + "; 'boxd doctor' checks KVM and the kernel", e);
        }
    }

    /** The tap is made in the worker's namespace; it moves to the bridge's namespace when that is another one. */
    void attachTap(String tap, BoxLaunch box) {
        if (network.netns() != null) {
            HostCommand.run(List.of("ip", "link", "set", "dev", tap, "netns", network.netns()), null, Duration.ofSeconds(20))
                    .orThrow("moving tap " + tap + " of box " + box.name() + " into netns " + network.netns(), "");
        }
        HostCommand.run(network.ip("link", "set", "dev", tap, "master", network.bridge(), "up"), null, Duration.ofSeconds(20))
                .orThrow("putting tap " + tap + " of box " + box.name() + " on bridge " + network.bridge(),
                        "is the bridge there? (ip link show " + network.bridge() + ")");
    }

    void removeTap(String tap) {
        HostCommand.run(List.of("ip", "link", "del", "dev", tap), null, Duration.ofSeconds(10));
        if (network.netns() != null) HostCommand.run(network.ip("link", "del", "dev", tap), null, Duration.ofSeconds(10));
    }

    /** Runs when the VM ends however it ends; never on the caller's thread (a vCPU thread cannot join itself). */
    private void onVmExit(Running r, VmExit exit) {
        Thread.ofPlatform().daemon(true).name("vm-exit-" + r.boxId()).start(() -> {
            if (vms.remove(r.boxId(), r)) {
                log.info("vm box {} ended: {} ({})", r.boxId(), exit == null ? "?" : exit.reason(), exit == null ? "" : exit.detail());
                appendConsole(r, "--- vm ended: " + (exit == null ? "?" : exit.reason() + " " + exit.detail()));
            }
            closeQuietly(r.vm());
            closeQuietly(r.console());
        });
    }

    private static void appendConsole(Running r, String line) {
        try {
            r.console().write(("\n" + line + "\n").getBytes(StandardCharsets.UTF_8));
            r.console().flush();
        } catch (IOException ignored) {
            // closed already
        }
    }

    private boolean isRunning(String id) {
        Running r = vms.get(id);
        return r != null && r.vm().exit().isEmpty();
    }

    /** {@return the box's VM while it runs} */
    public Optional<Vm> vm(String boxId) {
        Running r = vms.get(boxId);
        return r == null ? Optional.empty() : Optional.of(r.vm());
    }

    @Override
    public void stop(String boxId) {
        Running r = vms.remove(boxId);
        if (r != null) {
            appendConsole(r, "--- stopped by the worker " + Instant.now());
            closeQuietly(r.vm());  // stops the vCPUs, closes the tap (which removes it) and frees guest memory
            closeQuietly(r.console());
            removeTap(r.tap());
        }
    }

    /**
     * Stops the box and removes its directory, root disk overlay included. The shared base stays for other boxes and
     * later creates of the same size, unless it was made from an older image or guest init and no box uses it now.
     */
    @Override
    public void destroy(String boxId) {
        stop(boxId);
        removeTap(VmBoxFiles.tapName(boxId));
        Path d = dataDir.box(boxId);
        if (!Files.exists(d)) return;
        BoxFiles.remove(d);
        removeUnusedBases();
    }

    /** Bases of an older image or guest init go with the last box over them (see {@link VmBaseDisks#removeUnused}). */
    private void removeUnusedBases() {
        try {
            List<Path> overlays = new ArrayList<>();
            Path boxes = dataDir.boxes();
            if (Files.isDirectory(boxes)) {
                try (var s = Files.list(boxes)) {
                    for (Path d : s.toList()) {
                        Path ov = new VmBoxFiles(d).rootOverlay();
                        if (Files.exists(ov)) overlays.add(ov);
                    }
                }
            }
            for (Path p : bases.removeUnused(imageExt4, overlays)) log.info("removed vm base disk {}: no box uses it", p);
        } catch (IOException e) {
            log.warn("cannot clean up unused vm base disks in {}: {}", bases.dir(), e.toString());
        }
    }

    @Override
    public RuntimeState inspect(String boxId) {
        Running r = vms.get(boxId);
        if (r != null && r.vm().exit().isEmpty())
            return new RuntimeState(RuntimeState.Phase.RUNNING, "vm " + r.vm().name() + ", tap " + r.tap());
        VmBoxFiles f = files(boxId);
        if (Files.exists(f.rootOverlay()) || Files.exists(f.legacyRootDisk()))
            return new RuntimeState(RuntimeState.Phase.STOPPED, "not running");
        if (Files.exists(f.dir())) return new RuntimeState(RuntimeState.Phase.STOPPED, "partly created");
        return RuntimeState.absent();
    }

    /** VMs die with the worker process: a box is adopted only when this runtime already runs it and its sshd answers. */
    @Override
    public boolean adopt(BoxLaunch box) {
        if (!isRunning(box.id())) {
            stop(box.id());  // whatever is left of an ended VM
            return false;
        }
        if (!network.awaitSshBanner(box.ipv4(), 22, Duration.ofSeconds(5))) {
            log.info("vm box {} runs but its sshd does not answer: restarting it", box.name());
            stop(box.id());
            return false;
        }
        return true;
    }

    /**
     * Installs new keys in a running box: its config disk is rewritten in place and the guest init picks the keys up
     * within about 2 s. A stopped box gets them at its next start (start remakes the config disk from its launch).
     */
    @Override
    public void updateKeys(String boxId, List<String> authorizedKeys) {
        Running r = vms.get(boxId);
        if (r == null || r.vm().exit().isPresent()) return;
        BoxLaunch l = r.launch();
        BoxLaunch updated = new BoxLaunch(l.id(), l.name(), l.spec(), l.ipv4(), l.prefixLength(), l.gateway(), authorizedKeys);
        try {
            VmDisks.makeConfigDisk(updated, files(boxId), true);
        } catch (IOException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot update the SSH keys of box " + l.name() + ": " + e.getMessage(),
                    "check free space in the data directory", e);
        }
    }

    @Override
    public List<String> list() {
        return BoxFiles.list(dataDir, vms.keySet());
    }

    /** Stops every VM (they cannot outlive the worker's process) and the device loop. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (String id : List.copyOf(vms.keySet())) {
            try {
                stop(id);
            } catch (RuntimeException e) {
                log.warn("stopping vm box {} failed: {}", id, e.getMessage());
            }
        }
        loop.close();
    }

    private String consoleTail(String boxId) {
        return BoxFiles.consoleTail(files(boxId).console(), 800);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("closing {}: {}", c, e.toString());
        }
    }

    /** Buffers the guest's byte-at-a-time console writes and flushes at every line end. */
    static final class LineFlushingOutputStream extends BufferedOutputStream {
        LineFlushingOutputStream(OutputStream out) { super(out, 8192); }

        @Override
        public synchronized void write(int b) throws IOException {
            super.write(b);
            if (b == '\n') flush();
        }
    }
}
