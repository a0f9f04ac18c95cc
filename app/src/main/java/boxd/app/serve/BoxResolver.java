package boxd.app.serve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.common.ErrorCode;
import boxd.common.Role;
import boxd.dns.DnsConfig;
import boxd.dns.DnsServer;

/**
 * The resolver boxes use: every box's /etc/resolv.conf names the bridge gateway, so this role serves DNS on
 * {@code GATEWAY:53} (UDP and TCP): the zone from the local replica, as the dns role does, and, when egress is on, every
 * other name forwarded to the host's own resolvers (the {@code nameserver} lines of /etc/resolv.conf; loopback ones
 * included, since the forwarder runs in the host process). With egress off boxes cannot reach the outside anyway, so
 * other names are answered REFUSED at once rather than after a timeout.
 *
 * <p>It starts after the worker, which creates the bridge and its gateway address. When port 53 on the gateway cannot be
 * bound, serve stops with the reason: boxes would have no working resolver. When the dns role itself listens on port 53
 * of every address ({@code dns-port = 53}), it already answers the boxes on the gateway and holds the port, so this role
 * only says so ({@link #coveredByDnsRole}): boxes then get the zone but no forwarding, the public server never being an
 * open resolver.
 */
final class BoxResolver implements Role {
    static final int PORT = 53;
    static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final DnsServer server;
    private final boolean egress;

    /** @param egress whether boxes may reach beyond the host (only said in {@link #describe}; {@code config} decides) */
    BoxResolver(DnsConfig config, boolean egress, Control control) {
        this.server = new DnsServer(config, control);
        this.egress = egress;
    }

    /**
     * The box resolver's config: the zone on {@code gateway}:53, publishing the gateway as ns1, forwarding to
     * {@code hostResolvers} when {@code egress} is on and answering other names REFUSED when it is off.
     */
    static DnsConfig config(String zone, InetAddress gateway, boolean egress, List<InetSocketAddress> hostResolvers) {
        DnsConfig c = DnsConfig.defaults().withBind(gateway, PORT).withZone(zone);
        if (gateway instanceof java.net.Inet4Address v4) c = c.withNsAddress(v4);
        return c.withUpstreams(egress ? hostResolvers : List.of());
    }

    /** {@return the role serve runs instead when the dns role already listens on port 53 of every address} */
    static Role coveredByDnsRole(InetAddress gateway) {
        return new Role() {
            @Override public String name() { return "box-dns"; }
            @Override public void start() { }
            @Override public void close() { }
            @Override public String describe() {
                return "box-dns: the dns role answers boxes on " + gateway.getHostAddress() + ":53 (dns-port is 53),"
                        + " other names refused";
            }
        };
    }

    @Override
    public String name() {
        return "box-dns";
    }

    @Override
    public void start() throws Exception {
        try {
            server.start();
        } catch (java.io.IOException e) {
            DnsConfig c = server.config();
            throw new BoxdException(ErrorCode.INTERNAL, "box-dns: cannot listen on " + c.bindAddress().getHostAddress() + ":"
                    + c.port() + " (udp and tcp), where every box's /etc/resolv.conf points: " + rootMessage(e),
                    "stop what holds port 53 on that address (ss -lntup | grep ':53 '; a DNS server bound to all addresses,"
                            + " e.g. dnsmasq, holds it too) and start serve again");
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String describe() {
        DnsConfig c = server.config();
        List<InetSocketAddress> ups = server.upstreams();
        String others;
        if (!ups.isEmpty()) {
            StringBuilder sb = new StringBuilder("other names forwarded to the host's resolvers ");
            for (int i = 0; i < ups.size(); i++) {
                String host = ups.get(i).getAddress().getHostAddress();
                sb.append(i > 0 ? ", " : "").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':')
                        .append(ups.get(i).getPort());
            }
            others = sb.toString();
        } else {
            others = egress ? "other names refused (egress is on but " + HOST_RESOLV_CONF + " names no usable nameserver)"
                    : "other names refused (egress off)";
        }
        return "box-dns: resolver for boxes on " + c.bindAddress().getHostAddress() + ":" + c.port() + " udp+tcp, zone "
                + c.zone() + ", " + others;
    }

    @Override
    public void close() {
        server.close();
    }
}
