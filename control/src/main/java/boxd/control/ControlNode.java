package boxd.control;

import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.DataDir;
import boxd.common.ErrorCode;
import boxd.common.Role;
import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LocalFileMetaOutter.LocalFileMeta;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.option.RpcOptions;
import com.alipay.sofa.jraft.rpc.ProtobufMsgFactory;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcClient;
import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One control-plane node: a sofa-jraft Raft node whose state machine is this node's SQLite replica
 * ({@link StateMachine}). Writes from {@link #client()} are proposed here when this node leads, otherwise forwarded
 * to the leader over the Raft RPC port; they return once applied on this node. On the leader a scheduler loop turns
 * {@link Scheduler#plan} into proposals.
 *
 * <pre>
 *   ControlNode node = ControlNode.singleNode(dataDir);   // or new ControlNode(ControlConfig.voter(...))
 *   node.start();
 *   Control control = node.client();
 *   ...
 *   node.close();
 * </pre>
 */
public final class ControlNode implements Role {
    private static final Logger LOG = LoggerFactory.getLogger(ControlNode.class);
    static final String GROUP = "boxd";
    private static final byte RPC_PROPOSE = 1, RPC_JOIN = 2;
    private static final byte REPLY_OUTCOME = 0, REPLY_RETRY = 1;
    private static final long SCHEDULER_PAUSE_MS = 50;

    private final ControlConfig config;
    private final DataDir dataDir;
    private final Ipv4Pool pool;
    private final ReentrantReadWriteLock replicaLock = new ReentrantReadWriteLock();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Object appliedMonitor = new Object();
    private final AtomicLong appliedIndex = new AtomicLong();
    private final AtomicLong leaderTerm = new AtomicLong(-1);
    private final AtomicLong snapshotsInstalled = new AtomicLong();
    // addresses and ports chosen for proposals still in flight; deciders serialize on decideLock, while the apply
    // thread removes entries without it (it must never wait for a decider)
    private final Object decideLock = new Object();
    private final Set<Long> reservedIps = ConcurrentHashMap.newKeySet();
    private final Set<Long> reservedPorts = ConcurrentHashMap.newKeySet();
    // per pool, a value below which everything was taken at the last decision (guarded by decideLock), so a decision
    // does not rescan the dense low end; forgotten whenever something may have been freed
    private final java.util.Map<String, Long> floors = new java.util.HashMap<>();
    private volatile boolean somethingFreed;
    private final int readerCount = 4;
    private final ArrayBlockingQueue<Sql> readers = new ArrayBlockingQueue<>(readerCount);
    private final ControlClient client;

    private StateMachine sm;
    private RaftGroupService raftGroup;
    private Node node;
    private RpcClient rpcClient;
    private PeerId self;
    private ExecutorService rpcExecutor;
    private volatile Thread schedulerThread;
    private volatile Thread joinThread;
    private volatile boolean closed;
    private volatile boolean started;
    private int movedFromPort;

    public ControlNode(ControlConfig config) {
        this.config = config;
        this.dataDir = new DataDir(config.dataDir());
        this.pool = Ipv4Pool.parseCidr(config.ipv4Cidr());
        this.client = new ControlClient(this);
    }

    /** A single voter on 127.0.0.1 (free port, remembered in the data dir); call {@link #start()} next. */
    public static ControlNode singleNode(Path dataDir) {
        return new ControlNode(ControlConfig.singleNode(dataDir));
    }

    /** {@return the client API; writes fail with UNAVAILABLE until the node is started and a leader is known} */
    public Control client() { return client; }

    public ControlConfig config() { return config; }

    public Ipv4Pool pool() { return pool; }

    @Override
    public String name() { return "control"; }

    @Override
    public String describe() {
        return "control node '" + config.nodeId() + "' raft " + (self == null ? config.raftAddress() : self.getEndpoint())
                + (config.isSingleNode() ? " (single node)" : (config.learner() ? " learner of " : " voters ") + config.peers())
                + ", pool " + pool.cidr();
    }

    /** {@return "host:port" of this node's Raft RPC} */
    public String raftAddress() { return self.getEndpoint().toString(); }

    /** {@return how many snapshots from another node replaced this replica since start} */
    public long snapshotsInstalled() { return snapshotsInstalled.get(); }

    public boolean isLeader() { return node != null && node.isLeader(); }

    /** {@return the current leader's Raft address, or "" when none is known} */
    public String leaderAddress() {
        PeerId l = node == null ? null : node.getLeaderId();
        return l == null || l.isEmpty() ? "" : l.getEndpoint().toString();
    }

    @Override
    public synchronized void start() throws Exception {
        if (started) return;
        started = true;
        Files.createDirectories(dataDir.raft());
        keepJraftSignalFilesOutOfTheWorkingDirectory();
        sm = new StateMachine(dataDir.stateDb());
        appliedIndex.set(sm.lastApplied());
        openReaders();

        Endpoint endpoint = chooseEndpoint();
        self = new PeerId(endpoint, 0);
        // registers every jraft message (LocalFileMeta, our RPC carrier, included) with the RPC serializer; registering
        // one of them ourselves first would make that initialisation fail half-way
        ProtobufMsgFactory.load();
        RpcServer rpcServer = RaftRpcServerFactory.createRaftRpcServer(endpoint);
        rpcExecutor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "boxd-control-rpc");
            t.setDaemon(true);
            return t;
        });
        rpcServer.registerProcessor(new ForwardProcessor());

        NodeOptions opts = new NodeOptions();
        opts.setFsm(new Fsm());
        opts.setLogUri(dataDir.raft().resolve("log").toString());
        opts.setRaftMetaUri(dataDir.raft().resolve("meta").toString());
        opts.setSnapshotUri(dataDir.raft().resolve("snapshot").toString());
        opts.setElectionTimeoutMs((int) config.electionTimeout().toMillis());
        opts.setSnapshotIntervalSecs((int) Math.max(1, config.snapshotInterval().toSeconds()));
        RaftOptions raftOptions = new RaftOptions();
        raftOptions.setOpenStatistics(false); // RocksDB statistics cost CPU on every write and nobody reads them
        // acknowledged means durable: every node fsyncs its Raft log before it counts toward a commit (the SQLite
        // replica may then skip fsyncs, see StateMachine.openDb)
        raftOptions.setSync(true);
        opts.setRaftOptions(raftOptions);
        Configuration initial = new Configuration();
        if (config.isSingleNode()) {
            initial.addPeer(self);
        } else {
            for (String p : config.peers()) initial.addPeer(parsePeer(p));
            if (config.learner()) initial.addLearner(self);
        }
        opts.setInitialConf(initial);
        raftGroup = new RaftGroupService(GROUP, self, opts, rpcServer);
        try {
            node = raftGroup.start();
        } catch (RuntimeException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "cannot start the Raft node on " + endpoint + ": " + e.getMessage(),
                    "check that the port is free and the data directory " + dataDir.raft() + " is writable", e);
        }
        if (node == null)
            throw new BoxdException(ErrorCode.INTERNAL, "cannot start the Raft node on " + endpoint,
                    "check that the port is free and the data directory " + dataDir.raft() + " is writable");
        rpcClient = RpcFactoryHelper.rpcFactory().createRpcClient();
        rpcClient.init(new RpcOptions());

        if (config.isSingleNode()) {
            if (movedFromPort != 0) {
                // the remembered port was taken: the log names the old address as the only voter, so this node would
                // wait for it forever; a single voter can safely adopt its new address
                LOG.info("single control node moves from port {} to {}", movedFromPort, self);
                Status s = node.resetPeers(new Configuration(List.of(self)));
                if (!s.isOk()) LOG.warn("cannot reset the single node's peers: {}", s);
            }
            awaitLeader(config.proposeTimeout());
        } else if (config.learner()) {
            joinThread = Thread.ofPlatform().daemon().name("boxd-control-join").start(this::joinAsLearner);
        }
        LOG.info("{}", describe());
    }

    /**
     * jraft answers SIGUSR2 (also sent by profilers) by writing node_describe.log.*, node_metrics.log.* and
     * thread_pool_metrics.log.* files into the working directory, which for boxd is often a source tree. Its only knob
     * is a system property per file, read once per JVM: point them at this node's raft directory unless the operator
     * chose a place.
     */
    private void keepJraftSignalFilesOutOfTheWorkingDirectory() {
        for (String property : List.of("jraft.signal.node.describe.dir", "jraft.signal.node.metrics.dir",
                "jraft.signal.thread.pool.metrics.dir")) {
            if (System.getProperty(property) == null) System.setProperty(property, dataDir.raft().toString());
        }
    }

    private Endpoint chooseEndpoint() throws IOException {
        String[] hp = config.raftAddress().split(":");
        if (hp.length != 2) throw new BoxdException(ErrorCode.INVALID, "invalid Raft address '" + config.raftAddress() + "'", "write it as HOST:PORT");
        String host = hp[0];
        int port = Integer.parseInt(hp[1]);
        if (port != 0) return new Endpoint(host, port);
        Path remembered = dataDir.raft().resolve("address");
        if (Files.exists(remembered)) {
            int old = Integer.parseInt(Files.readString(remembered).strip());
            if (portFree(host, old)) return new Endpoint(host, old);
            movedFromPort = old;
        }
        int chosen;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            chosen = s.getLocalPort();
        }
        Files.writeString(remembered, chosen + "\n");
        return new Endpoint(host, chosen);
    }

    private static boolean portFree(String host, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static PeerId parsePeer(String address) {
        PeerId p = new PeerId();
        if (!p.parse(address))
            throw new BoxdException(ErrorCode.INVALID, "invalid peer address '" + address + "'", "write peers as HOST:PORT,HOST:PORT,...");
        return p;
    }

    /** Waits until some leader is known. @throws BoxdException UNAVAILABLE */
    public void awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (leaderAddress().isEmpty()) {
            if (System.nanoTime() > deadline)
                throw new BoxdException(ErrorCode.UNAVAILABLE, "no control-plane leader was elected within "
                        + timeout.toSeconds() + " s", "start a majority of the control nodes " + config.peers());
            sleep(20);
        }
    }

    // ---- proposing ----

    /** Result of a proposal: the outcome and the log index it was applied at. */
    record Result(Outcome outcome, long index) {}

    /**
     * Proposes a command (through the leader, wherever it is), waits until it is applied on this node and returns its
     * outcome. Retries while there is no leader or the leader changes, up to the propose timeout.
     *
     * @throws BoxdException UNAVAILABLE when no leader answered in time
     */
    Outcome submit(Command command) {
        if (!started || closed)
            throw new BoxdException(ErrorCode.UNAVAILABLE, "the control plane is not running", "start boxd serve");
        long deadline = System.nanoTime() + config.proposeTimeout().toNanos();
        String lastProblem = "no leader known";
        int conflicts = 0;
        while (System.nanoTime() < deadline) {
            Result r;
            try {
                r = proposeAnywhere(command, deadline);
            } catch (Retry e) {
                lastProblem = e.getMessage();
                sleep(30);
                continue;
            }
            if (r.outcome() instanceof Outcome.Rejected rej && rej.code() == ErrorCode.CONFLICT
                    && (command instanceof Command.CreateBox || command instanceof Command.Expose)
                    && rej.message().contains("already allocated") && ++conflicts < 5) {
                continue; // another proposal took the address or port first; the leader chooses again
            }
            awaitApplied(r.index(), deadline);
            return r.outcome();
        }
        throw new BoxdException(ErrorCode.UNAVAILABLE, "the control plane did not accept the write within "
                + config.proposeTimeout().toSeconds() + " s (" + lastProblem + ")",
                "check that a majority of the control nodes is running and reachable");
    }

    private static final class Retry extends Exception {
        Retry(String message) { super(message, null, false, false); }
    }

    private Result proposeAnywhere(Command command, long deadline) throws Retry {
        PeerId leader = node.getLeaderId();
        if (leader == null || leader.isEmpty()) throw new Retry("no leader known");
        if (leader.equals(self)) return await(proposeLocal(command, -1), deadline);
        byte[] payload = CommandCodec.encode(command);
        byte[] req = new byte[payload.length + 1];
        req[0] = RPC_PROPOSE;
        System.arraycopy(payload, 0, req, 1, payload.length);
        byte[] reply = call(leader.getEndpoint(), req, deadline);
        ByteBuffer bb = ByteBuffer.wrap(reply);
        byte kind = bb.get();
        if (kind == REPLY_RETRY) throw new Retry(new String(reply, 1, reply.length - 1, StandardCharsets.UTF_8));
        long index = bb.getLong();
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return new Result(CommandCodec.decodeOutcome(out), index);
    }

    private byte[] call(Endpoint to, byte[] request, long deadline) throws Retry {
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        try {
            Object resp = rpcClient.invokeSync(to, LocalFileMeta.newBuilder().setUserMeta(ByteString.copyFrom(request)).build(), ms);
            if (resp instanceof LocalFileMeta m) return m.getUserMeta().toByteArray();
            throw new Retry("unexpected reply from " + to + ": " + resp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Retry("interrupted");
        } catch (Retry e) {
            throw e;
        } catch (Exception e) {
            throw new Retry("leader " + to + " did not answer: " + e.getMessage());
        }
    }

    private Result await(CompletableFuture<Result> f, long deadline) throws Retry {
        try {
            return f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Retry("interrupted");
        } catch (TimeoutException e) {
            throw new Retry("the proposal was not committed in time");
        } catch (ExecutionException e) {
            throw new Retry(e.getCause().getMessage());
        }
    }

    /** Proposes on this node, which must lead. Completes exceptionally when it does not (or stops leading). */
    CompletableFuture<Result> proposeLocal(Command command, long expectedTerm) {
        CompletableFuture<Result> f = new CompletableFuture<>();
        if (!node.isLeader()) {
            f.completeExceptionally(new IllegalStateException("not the leader"));
            return f;
        }
        Command decided;
        List<Long> ips = new ArrayList<>();
        List<Long> ports = new ArrayList<>();
        try {
            decided = decide(command, ips, ports);
        } catch (BoxdException e) {
            f.complete(new Result(Outcome.reject(e.code(), e.getMessage(), e.hint()), appliedIndex.get()));
            return f;
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
            return f;
        }
        if (!ips.isEmpty() || !ports.isEmpty()) {
            f.whenComplete((r, t) -> {
                if (r == null || !(r.outcome() instanceof Outcome.Applied)) somethingFreed = true;
                ips.forEach(reservedIps::remove);
                ports.forEach(reservedPorts::remove);
            });
        }
        Task task = new Task(ByteBuffer.wrap(CommandCodec.encode(decided)), new ProposalClosure(f), expectedTerm);
        node.apply(task);
        return f;
    }

    /** Fills in what the leader chooses: a box's address and SSH port, an exposure's public port. */
    private Command decide(Command c, List<Long> ips, List<Long> ports) {
        return switch (c) {
            case Command.CreateBox x when x.ipv4().isEmpty() || x.sshPort() == 0 -> {
                synchronized (decideLock) {
                    long ip = lowestFree("ip_allocations", "ip_int", pool.first(), pool.last(), reservedIps);
                    if (ip < 0) throw new BoxdException(ErrorCode.NO_CAPACITY, "the address pool " + pool.cidr() + " is exhausted",
                            "destroy unused boxes or configure a larger pool");
                    int port = lowestFreePort(StateMachine.SSH_PORT_MIN, StateMachine.SSH_PORT_MAX, "ssh ports");
                    reservedIps.add(ip);
                    reservedPorts.add((long) port);
                    ips.add(ip);
                    ports.add((long) port);
                    yield new Command.CreateBox(x.id(), x.owner(), x.name(), x.cpus(), x.memoryMb(), x.diskGb(), x.image(),
                            Ipv4Pool.format(ip), port, x.atMillis());
                }
            }
            case Command.Expose x when x.publicPort() == 0 -> {
                synchronized (decideLock) {
                    int port = lowestFreePort(StateMachine.EXPOSE_PORT_MIN, StateMachine.EXPOSE_PORT_MAX, "public ports");
                    reservedPorts.add((long) port);
                    ports.add((long) port);
                    yield new Command.Expose(x.owner(), x.boxName(), x.boxPort(), port, x.atMillis());
                }
            }
            default -> c;
        };
    }

    private int lowestFreePort(int min, int max, String what) {
        long p = lowestFree("port_allocations", "port", min, max, reservedPorts);
        if (p < 0) somethingFreed = true; // an address chosen just before is not reserved: let the next decision see it
        if (p < 0) throw new BoxdException(ErrorCode.NO_CAPACITY, "all " + what + " " + min + "-" + max + " are allocated",
                "destroy unused boxes or exposures");
        return (int) p;
    }

    /**
     * {@return the lowest value in [min, max] that is neither a row of {@code table} nor reserved, or -1} Skips each
     * allocated run with one query (the first value after it without a successor), so it costs little when dense.
     */
    private long lowestFree(String table, String column, long min, long max, Set<Long> reserved) {
        String isAllocated = "SELECT count(*) FROM " + table + " WHERE " + column + " = ?";
        String endOfRun = "SELECT min(a." + column + ") + 1 FROM " + table + " a WHERE a." + column + " >= ? AND NOT EXISTS "
                + "(SELECT 1 FROM " + table + " b WHERE b." + column + " = a." + column + " + 1)";
        if (somethingFreed) {
            somethingFreed = false;
            floors.clear();
        }
        String key = table + ":" + min;
        long c = Math.max(min, floors.getOrDefault(key, min));
        while (c <= max) {
            long candidate = c;
            // reservations first: one released after its commit is then visible as allocated
            if (reserved.contains(c)) {
                c++;
            } else if (read(s -> Reads.count(s, isAllocated, candidate)) > 0) {
                c = read(s -> Reads.count(s, endOfRun, candidate));
            } else {
                // c is reserved now and allocated once applied; if its proposal fails, somethingFreed clears this
                floors.put(key, c + 1);
                return c;
            }
        }
        return -1;
    }

    /** Completes a proposal's future once the state machine applied it (or Raft failed it). */
    private final class ProposalClosure implements Closure {
        final CompletableFuture<Result> future;
        Outcome outcome;
        long index;

        ProposalClosure(CompletableFuture<Result> future) { this.future = future; }

        @Override
        public void run(Status status) {
            if (status.isOk() && outcome != null) future.complete(new Result(outcome, index));
            else future.completeExceptionally(new IllegalStateException("the proposal failed: " + status.getErrorMsg()
                    + " (" + status.getRaftError() + ")"));
        }
    }

    /** Blocks until this node's replica has applied {@code index}. */
    private void awaitApplied(long index, long deadline) {
        synchronized (appliedMonitor) {
            while (appliedIndex.get() < index) {
                long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (ms <= 0) throw new BoxdException(ErrorCode.TIMEOUT, "the write was committed but this node has not applied it yet",
                        "this node is lagging behind the leader; retry the read");
                try {
                    appliedMonitor.wait(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BoxdException(ErrorCode.INTERNAL, "interrupted while waiting for the write to apply");
                }
            }
        }
    }

    /**
     * A linearizable read barrier (Raft ReadIndex): returns once this node's replica has applied everything committed
     * before the call, so a read that follows sees every write acknowledged anywhere before it. Retries through leader
     * changes until the timeout.
     *
     * @throws BoxdException UNAVAILABLE when no leader confirmed the read in time
     */
    public void sync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no leader known";
        while (System.nanoTime() < deadline) {
            CompletableFuture<Status> f = new CompletableFuture<>();
            node.readIndex(new byte[0], new ReadIndexClosure() {
                @Override
                public void run(Status status, long index, byte[] reqCtx) {
                    f.complete(status);
                }
            });
            try {
                Status st = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (st.isOk()) return;
                last = st.getErrorMsg();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                last = "read index timed out";
            }
            sleep(30);
        }
        throw new BoxdException(ErrorCode.UNAVAILABLE, "no control-plane leader confirmed a read within "
                + timeout.toSeconds() + " s (" + last + ")", "check that a majority of the control nodes is running");
    }

    /** Waits for the next applied batch after {@code seenIndex}, at most {@code ms}. */
    void awaitChange(long seenIndex, long ms) throws InterruptedException {
        synchronized (appliedMonitor) {
            if (appliedIndex.get() == seenIndex && ms > 0) appliedMonitor.wait(ms);
        }
    }

    long appliedIndex() { return appliedIndex.get(); }

    AutoCloseable watch(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- reads ----

    interface ReadFn<T> { T read(Sql c) throws SQLException; }

    /** Runs a read against this node's replica (never blocked by Raft; blocked only while a snapshot is installed). */
    <T> T read(ReadFn<T> fn) {
        replicaLock.readLock().lock();
        Sql reader = null;
        try {
            if (closed || !started) throw new BoxdException(ErrorCode.UNAVAILABLE, "the control plane is not running", "start boxd serve");
            reader = readers.take();
            return fn.read(reader);
        } catch (SQLException e) {
            throw new BoxdException(ErrorCode.INTERNAL, "reading the control-plane replica failed: " + e.getMessage(), "", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BoxdException(ErrorCode.INTERNAL, "interrupted while reading the control-plane replica");
        } finally {
            if (reader != null) readers.add(reader);
            replicaLock.readLock().unlock();
        }
    }

    /** {@return every replicated row as text (tests compare replicas with it)} */
    public String dump() {
        return read(StateMachine::dump);
    }

    StateView view() {
        return read(c -> new StateView(Reads.allBoxes(c), Reads.workers(c), Reads.lastApplied(c)));
    }

    // ---- the Raft state machine ----

    private final class Fsm extends StateMachineAdapter {
        @Override
        public void onApply(Iterator it) {
            List<StateMachine.Entry> batch = new ArrayList<>();
            List<Closure> dones = new ArrayList<>();
            while (it.hasNext()) {
                Command c;
                try {
                    // the buffer is jraft's own: the log manager caches this entry and the leader's replicators send
                    // it from there to followers and learners that are behind, so reading it must not move its
                    // position (a consumed buffer replicates as an empty entry, which stops that node's state machine)
                    ByteBuffer buf = it.getData().slice();
                    byte[] data = new byte[buf.remaining()];
                    buf.get(data);
                    c = CommandCodec.decode(data);
                } catch (RuntimeException e) {
                    // an entry this version cannot read: stop rather than diverge from the other replicas
                    LOG.error("cannot decode log entry {}: {}", it.getIndex(), e.getMessage());
                    if (!batch.isEmpty()) commitBatch(batch, dones);
                    it.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "cannot decode log entry %d: %s "
                            + "(upgrade this node to the cluster's boxd version)", it.getIndex(), e.getMessage()));
                    return;
                }
                batch.add(new StateMachine.Entry(it.getIndex(), c));
                dones.add(it.done());
                it.next();
            }
            if (!batch.isEmpty()) commitBatch(batch, dones);
        }

        private void commitBatch(List<StateMachine.Entry> batch, List<Closure> dones) {
            List<Outcome> outcomes = sm.applyBatch(batch); // throws only if SQLite cannot commit: the node halts
            long last = sm.lastApplied();
            appliedChanged(last);
            for (int i = 0; i < batch.size(); i++) {
                Command c = batch.get(i).command();
                if ((c instanceof Command.DestroyBox || c instanceof Command.ReportDestroyed || c instanceof Command.Unexpose)
                        && outcomes.get(i) instanceof Outcome.Applied) somethingFreed = true;
                Closure done = dones.get(i);
                if (done instanceof ProposalClosure pc) {
                    pc.outcome = outcomes.get(i) == null ? Outcome.ok("") : outcomes.get(i);
                    pc.index = batch.get(i).index();
                }
                if (done != null) done.run(Status.OK());
            }
        }

        @Override
        public void onSnapshotSave(SnapshotWriter writer, Closure done) {
            try {
                Path target = Path.of(writer.getPath(), "state.db");
                Files.deleteIfExists(target);
                sm.snapshotTo(target);
                if (writer.addFile("state.db")) done.run(Status.OK());
                else done.run(new Status(RaftError.EIO, "cannot add state.db to the snapshot"));
            } catch (IOException | SQLException e) {
                LOG.warn("snapshot failed: {}", e.getMessage());
                done.run(new Status(RaftError.EIO, "snapshot failed: %s", e.getMessage()));
            }
        }

        @Override
        public boolean onSnapshotLoad(SnapshotReader reader) {
            Path file = Path.of(reader.getPath(), "state.db");
            if (!Files.exists(file)) {
                LOG.error("snapshot {} has no state.db", reader.getPath());
                return false;
            }
            try {
                long snapIndex = StateMachine.lastAppliedOf(file);
                if (sm.lastApplied() >= snapIndex) return true; // our replica already contains it (a restart)
                replicaLock.writeLock().lock();
                try {
                    closeReaders();
                    sm.replaceWith(file);
                    openReaders();
                } finally {
                    replicaLock.writeLock().unlock();
                }
                snapshotsInstalled.incrementAndGet();
                LOG.info("installed snapshot at index {}", sm.lastApplied());
                appliedChanged(sm.lastApplied());
                return true;
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.error("cannot install snapshot {}: {}", file, e.getMessage());
                return false;
            }
        }

        @Override
        public void onLeaderStart(long term) {
            leaderTerm.set(term);
            Thread t = Thread.ofPlatform().daemon().name("boxd-scheduler").unstarted(() -> schedulerLoop(term));
            schedulerThread = t;
            t.start();
        }

        @Override
        public void onLeaderStop(Status status) {
            leaderTerm.set(-1);
            synchronized (appliedMonitor) { appliedMonitor.notifyAll(); }
        }

        @Override
        public void onError(RaftException e) {
            LOG.error("the control-plane state machine stopped: {}", e.getMessage());
        }
    }

    private void appliedChanged(long last) {
        synchronized (appliedMonitor) {
            appliedIndex.set(last);
            appliedMonitor.notifyAll();
        }
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.warn("a change listener failed: {}", e.toString());
            }
        }
    }

    // ---- scheduler on the leader ----

    private void schedulerLoop(long term) {
        long seen = -1;
        while (!closed && leaderTerm.get() == term) {
            try {
                long idx = appliedIndex.get();
                if (idx != seen) {
                    seen = idx;
                    runSchedulerOnce(term);
                    // under a stream of writes, one round per pause instead of one per applied batch: its checks cost
                    // a query on the leader each time, and a box waits at most this long more to be placed
                    Thread.sleep(SCHEDULER_PAUSE_MS);
                } else {
                    awaitChange(idx, 1000);
                    if (appliedIndex.get() == idx) runSchedulerOnce(term); // periodic tick: leases expire with time
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("scheduler round failed: {}", e.toString());
                sleep(200);
            }
        }
    }

    private void runSchedulerOnce(long term) {
        long now = System.currentTimeMillis();
        // cheap checks first: most applied changes leave the scheduler nothing to do
        boolean work = read(c -> Reads.count(c, "SELECT EXISTS(SELECT 1 FROM boxes WHERE worker IS NULL AND observed = 'PENDING' "
                + "AND desired <> 'DESTROYED') AND EXISTS(SELECT 1 FROM workers WHERE lease_until >= ?)", now) > 0
                || Reads.count(c, "SELECT EXISTS(SELECT 1 FROM boxes b JOIN workers w ON w.id = b.worker "
                + "WHERE w.lease_until < ? AND b.observed <> 'LOST')", now) > 0);
        if (!work) return;
        List<Command> plan = Scheduler.plan(view(), now);
        if (plan.isEmpty()) return;
        List<CompletableFuture<Result>> fs = new ArrayList<>();
        for (Command c : plan) fs.add(proposeLocal(c, term));
        for (CompletableFuture<Result> f : fs) {
            try {
                f.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                return; // lost leadership or slow: the next round plans again from the replica
            }
        }
    }

    // ---- forwarding and joining ----

    /** Serves writes forwarded by other nodes (and learners asking to join) on the Raft RPC port. */
    private final class ForwardProcessor implements RpcProcessor<LocalFileMeta> {
        @Override
        public void handleRequest(RpcContext ctx, LocalFileMeta request) {
            byte[] req = request.getUserMeta().toByteArray();
            if (req.length == 0) {
                ctx.sendResponse(reply(retry("empty request")));
                return;
            }
            byte[] body = java.util.Arrays.copyOfRange(req, 1, req.length);
            switch (req[0]) {
                case RPC_PROPOSE -> {
                    Command c;
                    try {
                        c = CommandCodec.decode(body);
                    } catch (IllegalArgumentException e) {
                        ctx.sendResponse(reply(outcome(Outcome.reject(ErrorCode.INTERNAL, "the leader cannot read the command: "
                                + e.getMessage(), "run the same boxd version on every node"), 0)));
                        return;
                    }
                    proposeLocal(c, -1).whenComplete((r, t) -> ctx.sendResponse(reply(
                            t != null ? retry(t.getMessage()) : outcome(r.outcome(), r.index()))));
                }
                case RPC_JOIN -> {
                    if (!node.isLeader()) {
                        ctx.sendResponse(reply(retry("not the leader")));
                        return;
                    }
                    PeerId learner = parsePeer(new String(body, StandardCharsets.UTF_8));
                    if (node.listLearners().contains(learner)) {
                        ctx.sendResponse(reply(outcome(Outcome.ok("already a learner"), 0)));
                        return;
                    }
                    node.addLearners(List.of(learner), st -> ctx.sendResponse(reply(st.isOk()
                            ? outcome(Outcome.ok("joined"), 0) : retry(st.getErrorMsg()))));
                }
                default -> ctx.sendResponse(reply(retry("unknown request " + req[0])));
            }
        }

        @Override
        public String interest() { return LocalFileMeta.class.getName(); }

        @Override
        public java.util.concurrent.Executor executor() { return rpcExecutor; }
    }

    private static byte[] retry(String why) {
        byte[] m = String.valueOf(why).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[m.length + 1];
        out[0] = REPLY_RETRY;
        System.arraycopy(m, 0, out, 1, m.length);
        return out;
    }

    private static byte[] outcome(Outcome o, long index) {
        byte[] e = CommandCodec.encodeOutcome(o);
        return ByteBuffer.allocate(9 + e.length).put(REPLY_OUTCOME).putLong(index).put(e).array();
    }

    private static LocalFileMeta reply(byte[] b) {
        return LocalFileMeta.newBuilder().setUserMeta(ByteString.copyFrom(b)).build();
    }

    /** A learner asks the leader to add it, retrying until it is in the configuration. */
    private void joinAsLearner() {
        byte[] addr = raftAddress().getBytes(StandardCharsets.UTF_8);
        byte[] req = new byte[addr.length + 1];
        req[0] = RPC_JOIN;
        System.arraycopy(addr, 0, req, 1, addr.length);
        while (!closed) {
            PeerId leader = node.getLeaderId();
            List<String> targets = leader != null && !leader.isEmpty() ? List.of(leader.getEndpoint().toString()) : config.peers();
            for (String t : targets) {
                try {
                    byte[] reply = call(parsePeer(t).getEndpoint(), req, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
                    if (reply[0] == REPLY_OUTCOME) {
                        LOG.info("joined the control plane as a learner via {}", t);
                        return;
                    }
                } catch (Retry e) {
                    LOG.debug("join via {} failed: {}", t, e.getMessage());
                }
            }
            sleep(500);
        }
    }

    // ---- lifecycle ----

    /** Opens the pool of read connections (WAL lets them read while the apply thread writes). */
    private void openReaders() {
        for (int i = 0; i < readerCount; i++) readers.add(new Sql(StateMachine.openDb(dataDir.stateDb(), true)));
    }

    /** Closes every read connection; the caller holds the replica write lock, so none is in use. */
    private void closeReaders() {
        Sql r;
        while ((r = readers.poll()) != null) r.close();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        leaderTerm.set(-1);
        Thread j = joinThread;
        if (j != null) j.interrupt();
        Thread s = schedulerThread;
        if (s != null) s.interrupt();
        if (raftGroup != null) {
            try {
                raftGroup.shutdown();
                raftGroup.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("stopping the Raft node: {}", e.toString());
            }
        }
        if (rpcClient != null) rpcClient.shutdown();
        if (rpcExecutor != null) rpcExecutor.shutdownNow();
        replicaLock.writeLock().lock();
        try {
            closeReaders();
            if (sm != null) sm.close();
        } finally {
            replicaLock.writeLock().unlock();
        }
        synchronized (appliedMonitor) { appliedMonitor.notifyAll(); }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
