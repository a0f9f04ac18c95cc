package boxd.app.serve;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import boxd.app.config.BoxdConfig;
import boxd.app.config.UsageException;
import boxd.common.Role;
import boxd.control.ControlConfig;
import boxd.control.ControlNode;
import boxd.dns.DnsConfig;
import boxd.dns.DnsServer;
import boxd.proxy.ProxyConfig;
import boxd.proxy.ProxyServer;
import boxd.ssh.AccountPolicy;
import boxd.ssh.SshFrontend;
import boxd.ssh.SshFrontendConfig;
import boxd.worker.WorkerConfig;
import boxd.worker.WorkerRole;
import boxd.worker.net.BoxRoutes;

/**
 * The roles of {@code serve}, in start order: control -> worker -> ssh -> dns -> box-dns -> proxy -> box-routes (each
 * needs the control client; they close in reverse). box-dns is the boxes' resolver on the bridge gateway (see
 * {@link BoxResolver}); box-routes routes to boxes on other hosts ({@link BoxRoutes}).
 * Each role's config record is built from the merged {@link BoxdConfig} here and nowhere else.
 */
final class Roles {
    /** Every listener binds all IPv4 addresses; a firewall or --*-port decides who reaches them. */
    static final String BIND_ALL = "0.0.0.0";

    private Roles() {}

    /** {@return the steps of every role, in start order} */
    static List<RoleStep> steps() {
        return List.of(
                RoleStep.control(ctx -> new ControlNode(control(ctx.config())), started -> ((ControlNode) started).client()),
                RoleStep.of("worker", ctx -> new WorkerRole(worker(ctx.config(), ctx.runtime()), ctx.requireControl())),
                RoleStep.of("ssh", ctx -> new SshFrontend(ssh(ctx.config()), ctx.requireControl())),
                RoleStep.of("dns", ctx -> new DnsServer(dns(ctx.config()), ctx.requireControl())),
                // after the worker: it creates the bridge whose gateway address this binds
                RoleStep.of("box-dns", ctx -> boxResolver(ctx)),
                RoleStep.of("proxy", ctx -> new ProxyServer(proxy(ctx.config()), ctx.requireControl())),
                RoleStep.of("box-routes", ctx -> new BoxRoutes(ctx.requireControl(),
                        ctx.config().runs("worker") ? worker(ctx.config(), ctx.runtime()).workerId() : null, null,
                        Duration.ofSeconds(5))));
    }

    /** {@return the steps this host runs: the control replica always, the others as --roles says (box-dns with the worker)} */
    static List<RoleStep> steps(BoxdConfig c) {
        return steps().stream().filter(s -> switch (s.name()) {
            case "control", "box-routes" -> true;
            case "box-dns" -> c.runs("worker");
            default -> c.runs(s.name());
        }).toList();
    }

    static ControlConfig control(BoxdConfig c) {
        Path dir = c.data().root();
        ControlConfig base;
        if (!c.join().isEmpty()) {
            if (c.raftAddr().isEmpty()) throw new UsageException("--join needs --raft-addr HOST:PORT (where this node listens)");
            base = ControlConfig.learner(nodeId(c), dir, c.raftAddr(), c.join());
        } else if (!c.peers().isEmpty()) {
            if (c.raftAddr().isEmpty() || !c.peers().contains(c.raftAddr())) {
                throw new UsageException("--peers lists every voter's Raft address, this node's --raft-addr included"
                        + " (got --raft-addr '" + c.raftAddr() + "', --peers " + String.join(",", c.peers()) + ")");
            }
            base = ControlConfig.voter(nodeId(c), dir, c.raftAddr(), c.peers());
        } else {
            base = ControlConfig.singleNode(dir);
            if (!c.raftAddr().isEmpty()) base = base.withRaftAddress(c.raftAddr());
        }
        return base.withIpv4Cidr(c.boxCidr());
    }

    private static String nodeId(BoxdConfig c) {
        return c.nodeId().isEmpty() ? c.raftAddr() : c.nodeId();
    }

    static WorkerConfig worker(BoxdConfig c, String runtime) {
        WorkerConfig.defaultWorkerId(c.data(), c.nodeId());  // records a cluster node's worker id before defaults would
        WorkerConfig d = WorkerConfig.defaults(c.data());
        // in a cluster the worker's address is its host's Raft address: other hosts route to its boxes through it
        String address = c.raftAddr().isEmpty() ? d.address() : c.raftAddr().replaceFirst(":\\d+$", "");
        return new WorkerConfig(d.dataDir(), d.workerId(), runtime, d.bridge(), c.boxCidr(), null, d.imagesDir(),
                c.egress(), d.cpus(), d.memoryMb(), d.netns(), address, d.tick(), d.heartbeat());
    }

    static SshFrontendConfig ssh(BoxdConfig c) {
        SshFrontendConfig d = SshFrontendConfig.defaults(c.data());
        AccountPolicy policy = c.policy() == BoxdConfig.Policy.INVITE ? AccountPolicy.INVITE : AccountPolicy.OPEN;
        return new SshFrontendConfig(c.data(), BIND_ALL, c.sshPort(), policy, c.zone(), d.relayConnectTimeout(),
                d.authFailuresPerMinute());
    }

    static DnsConfig dns(BoxdConfig c) throws java.net.UnknownHostException {
        return DnsConfig.defaults().withBind(InetAddress.getByName(BIND_ALL), c.dnsPort()).withZone(c.zone());
    }

    private static Role boxResolver(ServeContext ctx) throws java.net.UnknownHostException {
        DnsConfig config = boxDns(ctx.config(), ctx.runtime());
        if (ctx.config().dnsPort() == BoxResolver.PORT) return BoxResolver.coveredByDnsRole(config.bindAddress());
        return new BoxResolver(config, ctx.config().egress(), ctx.requireControl());
    }

    /** The boxes' resolver: the zone on the bridge gateway's port 53, forwarding to the host's resolvers with egress. */
    static DnsConfig boxDns(BoxdConfig c, String runtime) throws java.net.UnknownHostException {
        InetAddress gateway = InetAddress.getByName(worker(c, runtime).gateway()); // a dotted address: no lookup
        return BoxResolver.config(c.zone(), gateway, c.egress(),
                c.egress() ? DnsConfig.upstreamsFromResolvConf(BoxResolver.HOST_RESOLV_CONF) : List.of());
    }

    static ProxyConfig proxy(BoxdConfig c) {
        return ProxyConfig.defaults(c.data()).withBind(BIND_ALL, c.httpPort(), c.httpsPort()).withZone(c.zone());
    }
}
