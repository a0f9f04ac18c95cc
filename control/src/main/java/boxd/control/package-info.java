/**
 * The control plane: every write is a {@link boxd.control.Command} ordered by Raft (sofa-jraft) and applied by
 * {@link boxd.control.StateMachine} to this node's SQLite replica; the leader's {@link boxd.control.Scheduler} turns the
 * replica into assignments.
 *
 * <p>What other modules use:
 * <ul>
 *   <li>{@link boxd.control.ControlNode} (a {@code Role}): {@code ControlNode.singleNode(dataDir)} or
 *       {@code new ControlNode(ControlConfig.voter(id, dataDir, "host:port", peers))} /
 *       {@code ControlConfig.learner(id, dataDir, "host:port", voters)}; {@code start()}, then {@code client()} is the
 *       {@link boxd.common.Control} implementation; {@code sync(timeout)} is a linearizable read barrier;
 *       {@code pool()} tells the gateway and prefix of the box network.</li>
 *   <li>{@link boxd.control.ControlConfig}: node id, data dir, Raft address, peers, learner flag, address pool,
 *       timeouts, worker lease (10 s by default: heartbeat well within it).</li>
 * </ul>
 *
 * <p>Limits enforced at apply: {@value boxd.control.StateMachine#MAX_BOXES_PER_USER} boxes per user,
 * {@value boxd.control.StateMachine#MAX_EXPOSURES_PER_BOX} exposed ports per box, SSH ports 10000-30000, exposed
 * ports 40000-60000, worker capacity (cpus and memory of assigned boxes never exceed what the worker registered).
 */
package boxd.control;
