package boxd.ssh;

import boxd.common.DataDir;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the SSH front door.
 *
 * @param dataDir                where the host keys ({@code keys/ssh_host_*}) and the platform key live
 * @param bindAddress            address to listen on ("0.0.0.0", "127.0.0.1", ...)
 * @param port                   TCP port (2222 by default; 0 picks a free one, see {@link SshFrontend#port()})
 * @param policy                 what an unknown key gets: an account ({@code OPEN}) or the invite instructions
 * @param zone                   DNS zone shown to users ({@code NAME.ZONE}), e.g. "boxd.local"
 * @param relayConnectTimeout    how long connecting and authenticating to a box's sshd may take
 * @param authFailuresPerMinute  failed logins one source address may cause per minute before its new connections are
 *                               dropped for the rest of that minute
 */
public record SshFrontendConfig(DataDir dataDir, String bindAddress, int port, AccountPolicy policy, String zone,
                                Duration relayConnectTimeout, int authFailuresPerMinute) {
    public static final int DEFAULT_PORT = 2222;

    public SshFrontendConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        if (bindAddress == null || bindAddress.isBlank()) bindAddress = "0.0.0.0";
        if (port < 0 || port > 65535) throw new IllegalArgumentException("ssh port must be 0-65535, got " + port);
        if (policy == null) policy = AccountPolicy.OPEN;
        if (zone == null || zone.isBlank()) zone = "boxd.local";
        if (relayConnectTimeout == null || relayConnectTimeout.isNegative() || relayConnectTimeout.isZero())
            relayConnectTimeout = Duration.ofSeconds(10);
        if (authFailuresPerMinute < 1) authFailuresPerMinute = 20;
    }

    /** {@return the defaults for a single-node install: all addresses, port 2222, policy open, zone boxd.local} */
    public static SshFrontendConfig defaults(DataDir dataDir) {
        return new SshFrontendConfig(dataDir, "0.0.0.0", DEFAULT_PORT, AccountPolicy.OPEN, "boxd.local",
                Duration.ofSeconds(10), 20);
    }

    public SshFrontendConfig withPort(String bindAddress, int port) {
        return new SshFrontendConfig(dataDir, bindAddress, port, policy, zone, relayConnectTimeout, authFailuresPerMinute);
    }

    public SshFrontendConfig withPolicy(AccountPolicy policy) {
        return new SshFrontendConfig(dataDir, bindAddress, port, policy, zone, relayConnectTimeout, authFailuresPerMinute);
    }
}
