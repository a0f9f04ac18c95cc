package boxd.ssh.verbs;

import boxd.common.Control;
import boxd.ssh.AccountPolicy;
import boxd.ssh.relay.BoxRelay;

/**
 * What verbs need beyond the caller: the control plane, the relay into boxes, the zone for display, the account
 * policy, and the tui's dashboard.
 *
 * @param dashboard opens the full-screen dashboard on the caller's terminal, or null when unavailable
 */
public record VerbServices(Control control, BoxRelay relay, String zone, AccountPolicy policy,
                           DashboardLauncher dashboard) {

    /** Hands the caller's terminal to the full-screen dashboard. */
    @FunctionalInterface
    public interface DashboardLauncher {
        /** @return the exit status */
        int open(VerbContext ctx) throws Exception;
    }
}
