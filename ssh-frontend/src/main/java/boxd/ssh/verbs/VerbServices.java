package boxd.ssh.verbs;

import boxd.common.Control;
import boxd.ssh.AccountPolicy;
import boxd.ssh.relay.BoxRelay;

import java.util.function.Consumer;

/**
 * What verbs need beyond the caller: the control plane, the relay into boxes, the zone for display, the account
 * policy, and hooks into the session and the tui.
 *
 * @param afterRegister called once {@code register CODE} made an account, so the session forgets it had none
 * @param dashboard     opens the full-screen dashboard on the caller's terminal, or null when unavailable
 */
public record VerbServices(Control control, BoxRelay relay, String zone, AccountPolicy policy,
                           Consumer<VerbContext> afterRegister, DashboardLauncher dashboard) {

    /** Hands the caller's terminal to the full-screen dashboard. */
    @FunctionalInterface
    public interface DashboardLauncher {
        /** @return the exit status */
        int open(VerbContext ctx) throws Exception;
    }
}
