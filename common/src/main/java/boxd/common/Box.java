package boxd.common;

/**
 * A box as recorded in the replicated state.
 *
 * @param id        immutable id chosen by the proposer ("b-" + 12 hex digits)
 * @param name      DNS label, unique across the installation (it is also {@code NAME.ZONE})
 * @param worker    id of the worker it is assigned to, or null while pending
 * @param ipv4      its address from the pool, chosen at create time
 * @param sshPort   port on the proxy host forwarded to the box's sshd (10000-30000)
 * @param lastError last error a worker reported, or ""
 */
public record Box(String id, String name, String owner, BoxSpec spec, DesiredState desired, ObservedState observed,
                  String worker, String ipv4, int sshPort, long createdAtMillis, long updatedAtMillis,
                  String lastError) {

    public boolean isRunning() {
        return observed == ObservedState.RUNNING && desired == DesiredState.RUNNING;
    }
}
