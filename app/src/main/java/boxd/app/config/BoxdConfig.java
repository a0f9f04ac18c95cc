package boxd.app.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import boxd.common.DataDir;

/**
 * The settings {@code serve} runs with, after flags, {@code boxd.toml} and the embedded defaults were merged (in that
 * order of precedence). {@link #sources()} says where each value came from: "flag", "boxd.toml" or "default".
 */
public record BoxdConfig(DataDir data, int sshPort, int dnsPort, int httpPort, int httpsPort, String zone,
                         Runtime runtime, String boxCidr, Policy policy, boolean egress, String nodeId,
                         String raftAddr, List<String> peers, List<String> join, List<String> roles,
                         Map<Option, String> sources) {

    /** Which box runtime to use. */
    public enum Runtime { AUTO, NS, VM }

    /** Who may register an account. */
    public enum Policy { OPEN, INVITE }

    /** {@return whether this host runs {@code role} (worker, ssh, dns or proxy); the control replica always runs} */
    public boolean runs(String role) {
        return roles.contains(role);
    }

    /** {@return whether cluster settings were given (otherwise serve runs a single node)} */
    public boolean clustered() {
        return !nodeId.isEmpty() || !raftAddr.isEmpty() || !peers.isEmpty() || !join.isEmpty();
    }

    static BoxdConfig of(Map<Option, String> values, Map<Option, String> sources) {
        return new BoxdConfig(
                new DataDir(Path.of(values.get(Option.DATA))),
                Integer.parseInt(values.get(Option.SSH_PORT)),
                Integer.parseInt(values.get(Option.DNS_PORT)),
                Integer.parseInt(values.get(Option.HTTP_PORT)),
                Integer.parseInt(values.get(Option.HTTPS_PORT)),
                values.get(Option.ZONE),
                Runtime.valueOf(values.get(Option.RUNTIME).toUpperCase(java.util.Locale.ROOT)),
                values.get(Option.BOX_CIDR),
                Policy.valueOf(values.get(Option.POLICY).toUpperCase(java.util.Locale.ROOT)),
                Boolean.parseBoolean(values.get(Option.EGRESS)),
                values.get(Option.NODE_ID),
                values.get(Option.RAFT_ADDR),
                values.get(Option.PEERS).isEmpty() ? List.of()
                        : Arrays.stream(values.get(Option.PEERS).split(",")).map(String::strip).toList(),
                values.get(Option.JOIN).isEmpty() ? List.of()
                        : Arrays.stream(values.get(Option.JOIN).split(",")).map(String::strip).toList(),
                Arrays.stream(values.get(Option.ROLES).split(",")).map(String::strip).toList(),
                Map.copyOf(sources));
    }
}
