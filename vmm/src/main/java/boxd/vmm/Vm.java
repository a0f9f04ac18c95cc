package boxd.vmm;

import boxd.vmm.devices.Bus;
import boxd.vmm.devices.legacy.BootTimer;
import boxd.vmm.devices.legacy.Serial8250;
import boxd.vmm.devices.virtio.block.BlockDevice;
import boxd.vmm.devices.virtio.net.NetDevice;
import boxd.vmm.devices.virtio.vsock.VsockDevice;
import boxd.vmm.io.EventLoop;
import boxd.vmm.kvm.KvmKind;
import boxd.vmm.memory.GuestMemory;
import boxd.vmm.vcpu.Vcpu;
import boxd.vmm.vcpu.VcpuEvent;
import boxd.vmm.vcpu.VcpuExit;
import boxd.vmm.vcpu.VcpuState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running (or runnable) microVM: its vCPU threads, devices and memory. Built by {@link VmmBuilder}; many can live in
 * one JVM. Lifecycle: {@code start -> (pause <-> resume)* -> exit}, where the exit is the guest's doing (power-off,
 * reboot, triple fault), a failure confined to this VM, or {@link #stop}. {@link #close} releases everything.
 */
public final class Vm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Vm.class);

    private final String name;
    private final KvmKind kind;
    private final boolean pvm;
    private final GuestMemory memory;
    private final Bus pio;
    private final Bus mmio;
    private final Serial8250 serial;
    private final BootTimer bootTimer;
    private final List<BlockDevice> disks;
    private final NetDevice net;
    private final VsockDevice vsock;
    private final String cmdline;
    private final ConsoleWatcher console;
    private final List<java.util.function.LongConsumer> bootListeners;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<AutoCloseable> resources;
    private final EventLoop loop;
    private final List<Long> loopRegistrations;
    private final CompletableFuture<VmExit> exit = new CompletableFuture<>();
    private volatile boolean started;
    private volatile long startNanos;
    private boolean closed;

    Vm(VmmBuilder.Parts p) {
        this.name = p.name;
        this.kind = p.kind;
        this.pvm = p.pvm;
        this.memory = p.memory;
        this.pio = p.pio;
        this.mmio = p.mmio;
        this.serial = p.serial;
        this.bootTimer = p.bootTimer;
        this.disks = p.disks;
        this.net = p.net;
        this.vsock = p.vsock;
        this.cmdline = p.cmdline;
        this.console = p.console;
        this.bootListeners = p.bootListeners;
        this.resources = p.resources;
        this.loop = p.loop;
        this.loopRegistrations = p.loopRegistrations;
        for (int i = 0; i < p.vcpuFds.size(); i++) {
            int index = i;
            vcpus.add(new Vcpu(p.vcpuFds.get(i), pio, mmio, memory, fd -> p.vcpuSetup.accept(fd, index), this::onVcpuExit, pvm));
        }
        p.console.onLine(line -> {
            if (line.contains("reboot: Power down") || line.contains("reboot: System halted")) {
                guestExit(new VmExit(VmExit.Reason.POWEROFF, line.trim()));
            }
        });
    }

    public String name() { return name; }

    /** {@return the host's KVM kind this VM runs on} */
    public KvmKind kvmKind() { return kind; }

    /** {@return whether the PVM workarounds are on} */
    public boolean pvmWorkarounds() { return pvm; }

    /** {@return the full kernel command line, with the virtio-mmio devices the VMM added} */
    public String cmdline() { return cmdline; }

    public GuestMemory memory() { return memory; }

    public Bus pioBus() { return pio; }

    public Bus mmioBus() { return mmio; }

    public Serial8250 serial() { return serial; }

    public List<BlockDevice> disks() { return disks; }

    public Optional<NetDevice> net() { return Optional.ofNullable(net); }

    public Optional<VsockDevice> vsock() { return Optional.ofNullable(vsock); }

    /** {@return nanoseconds from {@link #start} to the guest's boot-time marker, or -1 before it} */
    public long bootNanos() { return bootTimer.bootNanos(); }

    public long startNanos() { return startNanos; }

    /** Calls {@code listener} with the boot time in nanoseconds when the guest writes the boot-time marker. */
    public void onBootMarker(java.util.function.LongConsumer listener) { bootListeners.add(listener); }

    /** Calls {@code listener} with every complete line the guest prints on its serial console. */
    public void onConsoleLine(java.util.function.Consumer<String> listener) { console.onLine(listener); }

    public synchronized void start() {
        if (started) throw new IllegalStateException("VM " + name + " was already started");
        if (closed) throw new IllegalStateException("VM " + name + " is closed");
        started = true;
        startNanos = System.nanoTime();
        bootTimer.markStart(startNanos);
        for (Vcpu v : vcpus) v.start(name);
    }

    /** Takes every vCPU out of KVM_RUN and holds it there. */
    public void pause() throws InterruptedException {
        for (Vcpu v : vcpus) v.send(new VcpuEvent.Pause());
        for (Vcpu v : vcpus) {
            if (!v.awaitState(VcpuState.PAUSED, 5000) && !exit.isDone()) {
                throw new IllegalStateException("vCPU " + v.index() + " of VM " + name + " did not pause within 5 s");
            }
        }
    }

    public void resume() throws InterruptedException {
        for (Vcpu v : vcpus) v.send(new VcpuEvent.Resume());
        for (Vcpu v : vcpus) v.awaitState(VcpuState.RUNNING, 5000);
    }

    /** {@return the vCPU states, in index order} */
    public List<VcpuState> vcpuStates() { return vcpus.stream().map(Vcpu::state).toList(); }

    /** Ends the VM from the host side (exit reason STOPPED unless the guest already ended it). */
    public void stop() { guestExit(new VmExit(VmExit.Reason.STOPPED, "stopped by the host")); }

    /** {@return the exit, once the VM has ended} */
    public Optional<VmExit> exit() { return Optional.ofNullable(exit.getNow(null)); }

    public CompletableFuture<VmExit> onExit() { return exit; }

    /** Waits for the VM to end; empty on timeout. */
    public Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void onVcpuExit(VcpuExit e) {
        VmExit.Reason r = switch (e.reason()) {
            case RESET -> VmExit.Reason.REBOOT;
            case POWEROFF -> VmExit.Reason.POWEROFF;
            case TRIPLE_FAULT -> VmExit.Reason.TRIPLE_FAULT;
            case FAILED -> VmExit.Reason.CRASHED;
        };
        guestExit(new VmExit(r, e.detail()));
    }

    /** First exit wins; every vCPU is then stopped. Safe to call from a vCPU thread. */
    void guestExit(VmExit e) {
        if (exit.complete(e)) {
            if (e.reason() == VmExit.Reason.CRASHED) log.warn("VM {} crashed: {}", name, e.detail());
            else log.info("VM {} exited: {} ({})", name, e.reason(), e.detail());
        }
        for (Vcpu v : vcpus) v.send(new VcpuEvent.Stop());
    }

    /** Stops the VM if needed, waits for its threads, and frees its fds and memory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        stop();
        boolean allStopped = true;
        for (Vcpu v : vcpus) {
            try {
                v.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (v.state() != VcpuState.STOPPED && v.state() != VcpuState.CREATED) allStopped = false;
        }
        for (long id : loopRegistrations) loop.remove(id);
        // devices go inactive before memory is unmapped: host threads (vsock users, the tap) then cannot reach it
        for (BlockDevice d : disks) d.reset();
        if (net != null) net.reset();
        if (vsock != null) vsock.reset();
        serial.flush();
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable c = resources.get(i);
            if (!allStopped && (c == memory || c instanceof boxd.vmm.kvm.VcpuFd)) {
                // a vCPU thread is stuck; unmapping memory or kvm_run under it could crash the whole JVM, so leak them
                log.error("VM {}: a vCPU thread did not stop; leaving its guest memory and vCPU mapped", name);
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {} of VM {}: {}", c, name, e.toString());
            }
        }
    }
}
