package boxd.vmm;

import boxd.vmm.arch.x86_64.BootParams;
import boxd.vmm.arch.x86_64.Cpuid;
import boxd.vmm.arch.x86_64.Gdt;
import boxd.vmm.arch.x86_64.KernelLoader;
import boxd.vmm.arch.x86_64.Layout;
import boxd.vmm.arch.x86_64.LoadedKernel;
import boxd.vmm.arch.x86_64.MpTable;
import boxd.vmm.arch.x86_64.PageTables;
import boxd.vmm.arch.x86_64.Regs;
import boxd.vmm.config.BlockConfig;
import boxd.vmm.config.VmConfig;
import boxd.vmm.devices.Bus;
import boxd.vmm.devices.BusDevice;
import boxd.vmm.devices.legacy.BootTimer;
import boxd.vmm.devices.legacy.I8042;
import boxd.vmm.devices.legacy.Serial8250;
import boxd.vmm.devices.virtio.VirtioDevice;
import boxd.vmm.devices.virtio.block.BlockBackend;
import boxd.vmm.devices.virtio.block.BlockDevice;
import boxd.vmm.devices.virtio.block.CowBlockBackend;
import boxd.vmm.devices.virtio.block.FileBlockBackend;
import boxd.vmm.devices.virtio.net.NetBackend;
import boxd.vmm.devices.virtio.net.NetDevice;
import boxd.vmm.devices.virtio.net.Tap;
import boxd.vmm.devices.virtio.transport.MmioTransport;
import boxd.vmm.devices.virtio.vsock.VsockDevice;
import boxd.vmm.io.EventFd;
import boxd.vmm.io.EventLoop;
import boxd.vmm.kvm.CpuidEntry;
import boxd.vmm.kvm.Kvm;
import boxd.vmm.kvm.KvmKind;
import boxd.vmm.kvm.VcpuFd;
import boxd.vmm.kvm.VmFd;
import boxd.vmm.memory.MappedGuestMemory;
import boxd.vmm.memory.MemoryRegion;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Assembles a {@link Vm} from a {@link VmConfig}, in the order KVM needs: VM, irqchip and PIT, memory slots, vCPUs,
 * boot structures and kernel, devices (UART on GSI 4, i8042, boot-time marker, virtio-mmio windows from
 * 0xC0001000 with GSIs from 5, each with an irqfd and one ioeventfd per queue), then the command line and zero
 * page. Anything built before a failure is released.
 */
public final class VmmBuilder {
    private final VmConfig config;
    private EventLoop sharedLoop;
    private NetBackend netBackend;
    private final List<Object[]> extraMmio = new ArrayList<>();
    private final List<Object[]> extraPio = new ArrayList<>();

    public VmmBuilder(VmConfig config) { this.config = config; }

    /** Uses {@code loop} for device I/O instead of a loop of the VM's own (a worker shares one across VMs). */
    public VmmBuilder eventLoop(EventLoop loop) {
        this.sharedLoop = loop;
        return this;
    }

    /** Uses {@code backend} for the network device instead of opening the configured tap. */
    public VmmBuilder netBackend(NetBackend backend) {
        this.netBackend = backend;
        return this;
    }

    /** Adds a device on the MMIO bus (outside guest RAM). */
    public VmmBuilder mmioDevice(long base, long length, BusDevice device) {
        extraMmio.add(new Object[] {base, length, device});
        return this;
    }

    /** Adds a device on the port-I/O bus. */
    public VmmBuilder pioDevice(long base, long length, BusDevice device) {
        extraPio.add(new Object[] {base, length, device});
        return this;
    }

    /** What a Vm is made of, handed over in one piece. */
    static final class Parts {
        String name;
        KvmKind kind;
        boolean pvm;
        MappedGuestMemory memory;
        Bus pio = new Bus();
        Bus mmio = new Bus();
        Serial8250 serial;
        ConsoleWatcher console;
        BootTimer bootTimer;
        List<BlockDevice> disks = new ArrayList<>();
        NetDevice net;
        VsockDevice vsock;
        String cmdline;
        List<VcpuFd> vcpuFds = new ArrayList<>();
        BiConsumer<VcpuFd, Integer> vcpuSetup;
        List<AutoCloseable> resources = new ArrayList<>();
        EventLoop loop;
        List<Long> loopRegistrations = new ArrayList<>();
        List<java.util.function.LongConsumer> bootListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
        Vm vm;
    }

    public Vm build() throws IOException {
        Parts p = new Parts();
        try {
            return assemble(p);
        } catch (IOException | RuntimeException e) {
            for (long id : p.loopRegistrations) p.loop.remove(id);
            for (int i = p.resources.size() - 1; i >= 0; i--) {
                try {
                    p.resources.get(i).close();
                } catch (Exception ignored) {
                    // already failing: the first error is the one to report
                }
            }
            throw e;
        }
    }

    private Vm assemble(Parts p) throws IOException {
        p.name = config.name();
        p.kind = KvmKind.detect();
        p.pvm = config.pvmWorkarounds() != null ? config.pvmWorkarounds() : p.kind == KvmKind.PVM;
        int n = config.machine().vcpus();

        Kvm kvm = Kvm.open();
        p.resources.add(kvm);
        VmFd vm = kvm.createVm();
        p.resources.add(vm);
        vm.setTssAddr(Layout.TSS_ADDR);
        vm.createIrqchip();
        vm.createPit2();

        p.memory = MappedGuestMemory.create(MemoryRegion.withMmioGap(config.machine().memoryBytes()),
                config.machine().memfd() ? MappedGuestMemory.Backing.MEMFD : MappedGuestMemory.Backing.ANONYMOUS);
        p.resources.add(p.memory);
        List<MemoryRegion> regions = p.memory.regions();
        for (int i = 0; i < regions.size(); i++) {
            vm.setUserMemoryRegion(i, regions.get(i).guestAddress(), regions.get(i).size(), p.memory.hostAddress(i));
        }
        List<CpuidEntry> cpuid = kvm.supportedCpuid();
        for (int i = 0; i < n; i++) {
            VcpuFd fd = vm.createVcpu(i);
            p.resources.add(fd);
            p.vcpuFds.add(fd);
        }

        Gdt.write(p.memory);
        PageTables.write(p.memory);
        LoadedKernel kernel = KernelLoader.load(p.memory, config.boot().kernel());
        long initrdAddr = 0, initrdSize = 0;
        if (config.boot().initrd() != null) {
            byte[] initrd = Files.readAllBytes(config.boot().initrd());
            initrdSize = initrd.length;
            initrdAddr = BootParams.initrdAddress(p.memory, kernel, initrdSize);
            p.memory.write(initrdAddr, initrd);
        }

        p.loop = sharedLoop != null ? sharedLoop : new EventLoop("vmm-io-" + p.name);
        if (sharedLoop == null) p.resources.add(p.loop);

        p.console = new ConsoleWatcher(config.console().output());
        EventFd serialIrq = irq(vm, p, Serial8250.IRQ);
        p.serial = new Serial8250(p.console, serialIrq::signal);
        p.pio.register(Serial8250.PORT, Serial8250.PORTS, p.serial);
        p.pio.register(I8042.PORT, I8042.PORTS, new I8042(() -> p.vm.guestExit(new VmExit(VmExit.Reason.REBOOT, "i8042 reset (guest reboot)"))));
        p.bootTimer = new BootTimer(nanos -> { for (java.util.function.LongConsumer c : p.bootListeners) c.accept(nanos); });
        p.mmio.register(BootTimer.ADDRESS, BootTimer.SIZE, p.bootTimer);
        for (Object[] d : extraPio) p.pio.register((Long) d[0], (Long) d[1], (BusDevice) d[2]);
        for (Object[] d : extraMmio) p.mmio.register((Long) d[0], (Long) d[1], (BusDevice) d[2]);

        StringBuilder cmdline = new StringBuilder(config.boot().cmdline());
        if (p.pvm) cmdline.append(' ').append(Cpuid.PVM_CMDLINE);
        List<VirtioDevice> virtio = new ArrayList<>();
        for (BlockConfig d : config.disks()) {
            BlockBackend backend = d.copyOnWrite() ? CowBlockBackend.open(d.path(), d.base(), d.readOnly())
                    : new FileBlockBackend(d.path(), d.readOnly());
            p.resources.add(backend);
            BlockDevice dev = new BlockDevice(backend, d.readOnly(), d.id());
            p.disks.add(dev);
            virtio.add(dev);
        }
        NetBackend nb = null;
        if (netBackend != null || config.net() != null) {
            nb = netBackend != null ? netBackend : new Tap(config.net().tap());
            p.resources.add(nb);
            byte[] mac = config.net() != null ? config.net().macBytes() : new byte[] {2, 0, 0, 0, 0, 1};
            p.net = new NetDevice(nb, mac);
            virtio.add(p.net);
        }
        if (config.vsock() != null) {
            p.vsock = new VsockDevice(config.vsock().guestCid());
            virtio.add(p.vsock);
        }
        long base = Layout.VIRTIO_MMIO_BASE;
        int gsi = Layout.VIRTIO_FIRST_GSI;
        for (VirtioDevice dev : virtio) {
            if (gsi > Layout.MAX_GSI) throw new IllegalArgumentException("too many virtio devices: GSIs 5-23 are all used");
            EventFd irq = irq(vm, p, gsi);
            MmioTransport t = new MmioTransport(dev, p.memory, irq::signal);
            p.mmio.register(base, MmioTransport.WINDOW_SIZE, t);
            for (int q = 0; q < t.queueCount(); q++) {
                EventFd kick = new EventFd();
                p.resources.add(kick);
                vm.ioeventfd(kick.fd(), base + MmioTransport.NOTIFY_OFFSET, 4, q);
                int queue = q;
                p.loopRegistrations.add(p.loop.add(kick.fd(), false, () -> {
                    kick.drain();
                    t.notifyQueue(queue);
                }));
            }
            cmdline.append(String.format(" virtio_mmio.device=4K@0x%x:%d", base, gsi));
            base += MmioTransport.WINDOW_SIZE;
            gsi++;
        }
        if (p.net != null && nb.pollFd() >= 0) {
            NetDevice net = p.net;
            p.loopRegistrations.add(p.loop.add(nb.pollFd(), true, net::backendReadable));
        }
        p.cmdline = cmdline.toString().trim();
        BootParams.write(p.memory, kernel, p.cmdline, initrdAddr, initrdSize);
        MpTable.write(p.memory, n);

        boolean pvm = p.pvm;
        p.vcpuSetup = (fd, index) -> Regs.configure(fd, kernel.entry(), index, n, cpuid, pvm);
        p.vm = new Vm(p);
        return p.vm;
    }

    private static EventFd irq(VmFd vm, Parts p, int gsi) {
        EventFd e = new EventFd();
        p.resources.add(e);
        vm.irqfd(e.fd(), gsi);
        return e;
    }
}
