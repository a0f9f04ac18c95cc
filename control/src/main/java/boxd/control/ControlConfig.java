package boxd.control;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one control-plane node runs.
 *
 * @param nodeId          a name for logs ("node-1")
 * @param dataDir         the boxd data directory (raft/ and state.db live in it)
 * @param raftAddress     "host:port" this node's Raft RPC listens on; port 0 picks a free one (single node only; the
 *                        chosen port is remembered in the data dir)
 * @param peers           the voters' Raft addresses, including this node unless it is a learner; empty = single node
 * @param learner         joins the voters in {@code peers} as a non-voting replica (worker-, proxy- and DNS-only nodes)
 * @param ipv4Cidr        the box address pool; its first host address is the gateway
 * @param proposeTimeout  how long a write waits for a leader before failing with UNAVAILABLE
 * @param electionTimeout Raft election timeout
 * @param snapshotInterval how often the replica is copied into a Raft snapshot (the log before it is then dropped)
 * @param workerLease     how long a worker's registration or heartbeat keeps it live
 */
public record ControlConfig(String nodeId, Path dataDir, String raftAddress, List<String> peers, boolean learner,
                            String ipv4Cidr, Duration proposeTimeout, Duration electionTimeout,
                            Duration snapshotInterval, Duration workerLease) {

    public static final String DEFAULT_CIDR = "10.77.0.0/16";

    public ControlConfig {
        if (nodeId == null || nodeId.isBlank()) nodeId = "control";
        if (dataDir == null) throw new BoxdException(ErrorCode.INVALID, "the control plane needs a data directory");
        if (raftAddress == null || raftAddress.isBlank()) raftAddress = "127.0.0.1:0";
        peers = peers == null ? List.of() : List.copyOf(peers);
        if (ipv4Cidr == null || ipv4Cidr.isBlank()) ipv4Cidr = DEFAULT_CIDR;
        Ipv4Pool.parseCidr(ipv4Cidr); // validates
        if (proposeTimeout == null) proposeTimeout = Duration.ofSeconds(10);
        if (electionTimeout == null) electionTimeout = Duration.ofMillis(1000);
        if (snapshotInterval == null) snapshotInterval = Duration.ofMinutes(10);
        if (workerLease == null) workerLease = Duration.ofSeconds(10);
        if (learner && peers.isEmpty())
            throw new BoxdException(ErrorCode.INVALID, "a learner node needs the voters' addresses", "pass --join HOST:PORT,...");
    }

    /** One voter on 127.0.0.1 with a free port (remembered across restarts): {@code boxd serve}'s default and tests'. */
    public static ControlConfig singleNode(Path dataDir) {
        return new ControlConfig("control", dataDir, "127.0.0.1:0", List.of(), false, DEFAULT_CIDR, null, null, null, null);
    }

    /** A voter of a cluster: {@code peers} lists every voter's Raft address, this one's included. */
    public static ControlConfig voter(String nodeId, Path dataDir, String raftAddress, List<String> peers) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, false, DEFAULT_CIDR, null, null, null, null);
    }

    /** A non-voting replica that joins the cluster of {@code voters} (worker-, DNS- or proxy-only hosts). */
    public static ControlConfig learner(String nodeId, Path dataDir, String raftAddress, List<String> voters) {
        return new ControlConfig(nodeId, dataDir, raftAddress, voters, true, DEFAULT_CIDR, null, null, null, null);
    }

    public boolean isSingleNode() { return peers.isEmpty(); }

    public ControlConfig withIpv4Cidr(String cidr) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, learner, cidr, proposeTimeout, electionTimeout, snapshotInterval, workerLease);
    }

    public ControlConfig withProposeTimeout(Duration d) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, learner, ipv4Cidr, d, electionTimeout, snapshotInterval, workerLease);
    }

    public ControlConfig withElectionTimeout(Duration d) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, learner, ipv4Cidr, proposeTimeout, d, snapshotInterval, workerLease);
    }

    public ControlConfig withSnapshotInterval(Duration d) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, learner, ipv4Cidr, proposeTimeout, electionTimeout, d, workerLease);
    }

    public ControlConfig withWorkerLease(Duration d) {
        return new ControlConfig(nodeId, dataDir, raftAddress, peers, learner, ipv4Cidr, proposeTimeout, electionTimeout, snapshotInterval, d);
    }

    public ControlConfig withRaftAddress(String address) {
        return new ControlConfig(nodeId, dataDir, address, peers, learner, ipv4Cidr, proposeTimeout, electionTimeout, snapshotInterval, workerLease);
    }
}
