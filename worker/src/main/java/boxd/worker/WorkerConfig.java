package boxd.worker;

import boxd.common.BoxdException;
import boxd.common.DataDir;
import boxd.common.ErrorCode;
import boxd.worker.net.BoxNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a worker runs.
 *
 * @param dataDir   the data directory (boxes live in {@code boxes/<id>/})
 * @param workerId  this worker's id in the control plane (stable across restarts, so boxes are re-adopted)
 * @param runtime   "ns" (Linux namespaces) or "vm" (microVM on the boxd VMM)
 * @param bridge    name of the bridge boxes attach to, "boxd0"
 * @param boxCidr   the address pool, "10.77.0.0/16"; its prefix length is the boxes'
 * @param gateway   the bridge's address, the pool's first address "10.77.0.1"; boxes' route and DNS server
 * @param imagesDir where root filesystem images are built and cached
 * @param egress    masquerade box traffic to the outside (off unless the operator turns it on; never in tests)
 * @param cpus      capacity registered with the control plane
 * @param memoryMb  capacity registered with the control plane
 * @param netns     the network namespace holding the bridge (ip netns name), or null for the host's own
 * @param address   the address other nodes reach this worker at (informational)
 * @param tick      how often the worker reconciles without being told of a change
 * @param heartbeat how often the worker renews its lease
 * @param kernel    the guest kernel (vmlinux or bzImage) of the vm runtime; null for the one {@code boxd image build}
 *                  left in the images dir: {@code imagesDir/kernel/current/vmlinux}, else {@code .../bzImage}
 *                  (see {@link #guestKernel()})
 */
public record WorkerConfig(DataDir dataDir, String workerId, String runtime, String bridge, String boxCidr, String gateway,
                           Path imagesDir, boolean egress, int cpus, int memoryMb, String netns, String address,
                           Duration tick, Duration heartbeat, Path kernel) {

    public static final String DEFAULT_CIDR = "10.77.0.0/16";

    public WorkerConfig {
        if (!"ns".equals(runtime) && !"vm".equals(runtime))
            throw new BoxdException(ErrorCode.INVALID, "unknown runtime '" + runtime + "'", "use --runtime=ns or --runtime=vm");
        if (workerId == null || workerId.isBlank()) throw new BoxdException(ErrorCode.INVALID, "worker id is empty");
        prefixLength(boxCidr);
        if (gateway == null || gateway.isBlank()) gateway = firstAddress(boxCidr);
        if (imagesDir == null) imagesDir = dataDir.images();
        if (address == null) address = "";
        if (tick == null) tick = Duration.ofSeconds(2);
        if (heartbeat == null) heartbeat = Duration.ofSeconds(3);
    }

    /** The same without a kernel path: the vm runtime uses the one {@code boxd image build} left in the images dir. */
    public WorkerConfig(DataDir dataDir, String workerId, String runtime, String bridge, String boxCidr, String gateway,
                        Path imagesDir, boolean egress, int cpus, int memoryMb, String netns, String address,
                        Duration tick, Duration heartbeat) {
        this(dataDir, workerId, runtime, bridge, boxCidr, gateway, imagesDir, egress, cpus, memoryMb, netns, address, tick,
                heartbeat, null);
    }

    /**
     * {@return the guest kernel the vm runtime boots: {@link #kernel} when set, else {@code imagesDir/kernel/current/vmlinux}
     * when it exists, else {@code imagesDir/kernel/current/bzImage} (where {@code boxd image build kernel} puts them;
     * the path returned may not exist)}
     */
    public Path guestKernel() {
        if (kernel != null) return kernel;
        Path current = imagesDir.resolve("kernel").resolve("current");
        Path vmlinux = current.resolve("vmlinux");
        return Files.isRegularFile(vmlinux) ? vmlinux : current.resolve("bzImage");
    }

    public WorkerConfig withKernel(Path k) {
        return new WorkerConfig(dataDir, workerId, runtime, bridge, boxCidr, gateway, imagesDir, egress, cpus, memoryMb, netns,
                address, tick, heartbeat, k);
    }

    /** Defaults: runtime ns, bridge boxd0, pool 10.77.0.0/16, capacity = this host's CPUs and memory, worker id from the data dir. */
    public static WorkerConfig defaults(DataDir dataDir) {
        return new WorkerConfig(dataDir, defaultWorkerId(dataDir), "ns", "boxd0", DEFAULT_CIDR, null, null, false,
                Runtime.getRuntime().availableProcessors(), hostMemoryMb(), null, hostName(), null, null);
    }

    public WorkerConfig withRuntime(String r) {
        return new WorkerConfig(dataDir, workerId, r, bridge, boxCidr, gateway, imagesDir, egress, cpus, memoryMb, netns,
                address, tick, heartbeat, kernel);
    }

    public WorkerConfig withNetns(String ns) {
        return new WorkerConfig(dataDir, workerId, runtime, bridge, boxCidr, gateway, imagesDir, egress, cpus, memoryMb, ns,
                address, tick, heartbeat, kernel);
    }

    public WorkerConfig withImagesDir(Path dir) {
        return new WorkerConfig(dataDir, workerId, runtime, bridge, boxCidr, gateway, dir, egress, cpus, memoryMb, netns,
                address, tick, heartbeat, kernel);
    }

    public int prefixLength() { return prefixLength(boxCidr); }

    public BoxNetwork network() { return new BoxNetwork(bridge, gateway, prefixLength(), netns, egress); }

    static int prefixLength(String cidr) {
        if (cidr == null || !cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}"))
            throw new BoxdException(ErrorCode.INVALID, "box network must be an IPv4 CIDR like 10.77.0.0/16, got " + cidr);
        return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    static String firstAddress(String cidr) {
        String net = BoxNetwork.networkAddress(cidr.substring(0, cidr.indexOf('/')), prefixLength(cidr));
        String[] p = net.split("\\.");
        return p[0] + "." + p[1] + "." + p[2] + "." + (Integer.parseInt(p[3]) + 1);
    }

    /** A stable id: "w-" + host name, kept in the data dir so restarts re-adopt this worker's boxes. */
    public static String defaultWorkerId(DataDir dataDir) {
        return defaultWorkerId(dataDir, "");
    }

    /**
     * A stable id kept in the data dir so restarts re-adopt this worker's boxes: the one recorded there, else "w-" +
     * {@code nodeId} (a cluster node's own id: host names of cloned machines collide), else "w-" + host name.
     */
    public static String defaultWorkerId(DataDir dataDir, String nodeId) {
        Path f = dataDir.root().resolve("worker-id");
        try {
            if (Files.exists(f)) return Files.readString(f).strip();
            String id = "w-" + (nodeId == null || nodeId.isBlank() ? hostName() : nodeId).replaceAll("[^A-Za-z0-9-]", "-");
            Files.createDirectories(dataDir.root());
            Files.writeString(f, id + "\n");
            return id;
        } catch (IOException e) {
            return "w-" + hostName();
        }
    }

    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static int hostMemoryMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) return (int) (Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024);
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through
        }
        return 1024;
    }
}
