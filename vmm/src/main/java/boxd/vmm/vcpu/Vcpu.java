package boxd.vmm.vcpu;

import boxd.vmm.devices.Bus;
import boxd.vmm.kvm.KvmRegs;
import boxd.vmm.kvm.KvmRun;
import boxd.vmm.kvm.VcpuFd;
import boxd.vmm.memory.GuestMemory;
import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.LinuxAbi;
import boxd.vmm.sys.NativeBuffer;
import boxd.vmm.sys.Sys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * One vCPU on its own platform thread for its whole life (KVM binds a vCPU to the task that runs it). The thread
 * loops on KVM_RUN and dispatches port and MMIO exits to the buses; {@link VcpuEvent}s drive its state:
 * <pre>
 *   Created --start--> Running --Pause--> Paused --Resume--> Running;  any --Stop--> Stopped
 * </pre>
 * To get a thread out of KVM_RUN (a halted guest never exits on its own) the VMM sets {@code immediate_exit} and
 * sends a real-time signal to that thread. The signal is blocked in the thread except inside KVM_RUN
 * (KVM_SET_SIGNAL_MASK), so it interrupts KVM_RUN with EINTR but is never delivered to a handler: it stays pending
 * and is drained with sigtimedwait. No signal handler runs in the JVM.
 */
public final class Vcpu {
    private static final Logger log = LoggerFactory.getLogger(Vcpu.class);
    /** SIGRTMIN+3: real-time signals are not used by the JVM. */
    public static final int KICK_SIGNAL_OFFSET = 3;

    private final VcpuFd fd;
    private final Bus pio;
    private final Bus mmio;
    private final GuestMemory mem;
    private final Consumer<VcpuFd> setup;
    private final Consumer<VcpuExit> onExit;
    private final boolean int3Workaround;
    private final Object lock = new Object();
    private final ArrayDeque<VcpuEvent> events = new ArrayDeque<>();
    private VcpuState state = VcpuState.CREATED;
    private int tid;
    private Thread thread;

    /**
     * @param setup runs first on the vCPU thread (register setup must come from it)
     * @param onExit called on the vCPU thread when the guest ends the VM or the vCPU fails
     * @param int3Workaround turn INT3 emulation failures into an injected #BP (PVM hosts)
     */
    public Vcpu(VcpuFd fd, Bus pio, Bus mmio, GuestMemory mem, Consumer<VcpuFd> setup, Consumer<VcpuExit> onExit,
                boolean int3Workaround) {
        this.fd = fd;
        this.pio = pio;
        this.mmio = mmio;
        this.mem = mem;
        this.setup = setup;
        this.onExit = onExit;
        this.int3Workaround = int3Workaround;
    }

    public int index() { return fd.id(); }

    public VcpuState state() {
        synchronized (lock) { return state; }
    }

    /** Starts the thread: {@code Created --start--> Running}. */
    public void start(String vmName) {
        synchronized (lock) {
            if (state != VcpuState.CREATED) throw new IllegalStateException("vCPU " + index() + " already started");
            state = VcpuState.RUNNING;
            thread = Thread.ofPlatform().name("vcpu-" + vmName + "-" + index()).daemon(true).unstarted(this::threadMain);
            thread.start();
        }
    }

    /** Queues an event and kicks the thread out of KVM_RUN. */
    public void send(VcpuEvent event) {
        synchronized (lock) {
            if (state == VcpuState.STOPPED) return;
            if (state == VcpuState.CREATED && event instanceof VcpuEvent.Stop) {
                state = VcpuState.STOPPED;
                lock.notifyAll();
                return;
            }
            events.add(event);
            lock.notifyAll();
            kick();
        }
    }

    private void kick() {
        fd.kvmRun().immediateExit(true);
        if (tid != 0) Sys.tgkill(tid, Sys.sigRtMin() + KICK_SIGNAL_OFFSET);
    }

    /** Waits until the thread reaches {@code wanted} (or Stopped); false on timeout. */
    public boolean awaitState(VcpuState wanted, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (lock) {
            while (state != wanted && state != VcpuState.STOPPED) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) return false;
                lock.wait(left);
            }
            return state == wanted;
        }
    }

    public void join(long millis) throws InterruptedException {
        Thread t;
        synchronized (lock) { t = thread; }
        if (t != null) t.join(millis);
    }

    private void threadMain() {
        int sig = Sys.sigRtMin() + KICK_SIGNAL_OFFSET;
        try (NativeBuffer kickSet = Sys.sigset(sig);
             NativeBuffer old = Sys.threadSigmask(LinuxAbi.SIG_BLOCK, kickSet)) {
            byte[] inKvm = old.getBytes(0, LinuxAbi.KERNEL_SIGSET_BYTES);
            inKvm[(sig - 1) / 8] &= (byte) ~(1 << ((sig - 1) % 8));
            fd.setSignalMask(inKvm);
            synchronized (lock) { tid = Sys.gettid(); }
            setup.accept(fd);
            runLoop(kickSet);
        } catch (RuntimeException e) {
            log.warn("vCPU {} failed: {}", index(), e.toString());
            finish(new VcpuExit(VcpuExit.Reason.FAILED, "vCPU " + index() + ": " + e.getMessage()));
            return;
        }
        finish(null);
    }

    private void finish(VcpuExit exit) {
        synchronized (lock) {
            tid = 0;
            state = VcpuState.STOPPED;
            lock.notifyAll();
        }
        if (exit != null) onExit.accept(exit);
    }

    private void runLoop(NativeBuffer kickSet) {
        KvmRun run = fd.kvmRun();
        while (true) {
            run.immediateExit(false);
            if (!applyEvents()) return;
            boolean exited = fd.run();
            while (Sys.sigtimedwaitNow(kickSet) > 0) {
                // drain kicks: they only existed to interrupt KVM_RUN
            }
            if (!exited) continue;
            VcpuExit exit = handleExit(run);
            if (exit != null) {
                synchronized (lock) {
                    tid = 0;
                    state = VcpuState.STOPPED;
                    lock.notifyAll();
                }
                onExit.accept(exit);
                return;
            }
        }
    }

    /** Applies queued events; returns false when the thread must end. Blocks while paused. */
    private boolean applyEvents() {
        synchronized (lock) {
            while (true) {
                VcpuEvent e = events.poll();
                if (e != null) {
                    switch (e) {
                        case VcpuEvent.Pause p -> { if (state == VcpuState.RUNNING) state = VcpuState.PAUSED; }
                        case VcpuEvent.Resume r -> { if (state == VcpuState.PAUSED) state = VcpuState.RUNNING; }
                        case VcpuEvent.Stop s -> state = VcpuState.STOPPED;
                    }
                    lock.notifyAll();
                    if (state == VcpuState.STOPPED) {
                        tid = 0;
                        return false;
                    }
                    continue;
                }
                if (state == VcpuState.PAUSED) {
                    try {
                        lock.wait();
                    } catch (InterruptedException ie) {
                        state = VcpuState.STOPPED;
                        tid = 0;
                        return false;
                    }
                    continue;
                }
                return state == VcpuState.RUNNING;
            }
        }
    }

    /** Handles one exit; returns non-null when the VM must end. */
    private VcpuExit handleExit(KvmRun run) {
        int reason = run.exitReason();
        switch (reason) {
            case KvmAbi.KVM_EXIT_IO -> {
                int size = run.ioSize(), count = run.ioCount(), port = run.ioPort();
                byte[] d = new byte[size];
                for (int i = 0; i < count; i++) {
                    if (run.ioIsOut()) {
                        run.readIoData(d, size, i);
                        pio.write(port, d);
                    } else {
                        pio.read(port, d);
                        run.writeIoData(d, size, i);
                    }
                }
                return null;
            }
            case KvmAbi.KVM_EXIT_MMIO -> {
                int len = Math.min(8, run.mmioLen());
                byte[] d = new byte[len];
                if (run.mmioIsWrite()) {
                    run.readMmioData(d, len);
                    mmio.write(run.mmioPhysAddr(), d);
                } else {
                    mmio.read(run.mmioPhysAddr(), d);
                    run.writeMmioData(d, len);
                }
                return null;
            }
            case KvmAbi.KVM_EXIT_SHUTDOWN -> {
                return new VcpuExit(VcpuExit.Reason.TRIPLE_FAULT, "vCPU " + index() + " triple fault (KVM_EXIT_SHUTDOWN)");
            }
            case KvmAbi.KVM_EXIT_SYSTEM_EVENT -> {
                return switch (run.systemEventType()) {
                    case KvmAbi.KVM_SYSTEM_EVENT_RESET -> new VcpuExit(VcpuExit.Reason.RESET, "system reset event");
                    case KvmAbi.KVM_SYSTEM_EVENT_SHUTDOWN -> new VcpuExit(VcpuExit.Reason.POWEROFF, "system shutdown event");
                    default -> new VcpuExit(VcpuExit.Reason.FAILED, "system event " + run.systemEventType() + " (guest crash)");
                };
            }
            case KvmAbi.KVM_EXIT_HLT -> {
                return new VcpuExit(VcpuExit.Reason.POWEROFF, "vCPU " + index() + " halted with no interrupt controller");
            }
            case KvmAbi.KVM_EXIT_FAIL_ENTRY -> {
                return new VcpuExit(VcpuExit.Reason.FAILED, String.format("VM entry failed on vCPU %d, hardware reason %#x; %s; %s",
                        index(), run.failEntryReason(), fd.getRegs(), fd.getSregs()));
            }
            case KvmAbi.KVM_EXIT_INTERNAL_ERROR -> {
                return internalError(run);
            }
            case KvmAbi.KVM_EXIT_INTR -> {
                return null;
            }
            default -> {
                return new VcpuExit(VcpuExit.Reason.FAILED, "vCPU " + index() + " unexpected exit reason " + reason);
            }
        }
    }

    private VcpuExit internalError(KvmRun run) {
        KvmRegs regs = fd.getRegs();
        byte[] insn = run.internalSuberror() == KvmAbi.KVM_INTERNAL_ERROR_EMULATION ? run.emulationFailureInstruction() : new byte[0];
        if (insn.length == 0 && run.internalSuberror() == KvmAbi.KVM_INTERNAL_ERROR_EMULATION) insn = instructionAt(regs.rip());
        if (int3Workaround && insn.length > 0 && (insn[0] & 0xFF) == 0xCC) {
            // PVM's emulator cannot run INT3 (the kernel's alternatives self-test and text patching use it):
            // deliver the #BP the instruction would have raised, with RIP already past it as for a trap
            regs.rip(regs.rip() + 1);
            fd.setRegs(regs);
            fd.injectException(3);
            return null;
        }
        return new VcpuExit(VcpuExit.Reason.FAILED, String.format(
                "KVM internal error on vCPU %d (suberror %d%s); %s; instruction bytes %s", index(), run.internalSuberror(),
                run.internalSuberror() == 1 ? ": instruction emulation failed" : "", regs, HexFormat.of().formatHex(insn)));
    }

    private byte[] instructionAt(long rip) {
        try {
            long gpa = fd.translate(rip);
            if (gpa >= 0 && mem.isValid(gpa, 1)) return mem.read(gpa, (int) Math.min(15, 4096 - (gpa & 0xFFF)));
        } catch (RuntimeException e) {
            // translation is a best-effort diagnostic
        }
        return new byte[0];
    }
}
