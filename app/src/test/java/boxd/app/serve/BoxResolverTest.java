package boxd.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import boxd.common.BoxdException;
import boxd.common.Control;
import boxd.dns.DnsConfig;

class BoxResolverTest {
    private static final List<InetSocketAddress> HOST = List.of(new InetSocketAddress("127.0.0.53", 53));

    @Test
    void servesTheZoneOnTheGatewaysPort53AndForwardsOnlyWithEgress() throws Exception {
        InetAddress gw = InetAddress.getByName("10.77.0.1");
        DnsConfig off = BoxResolver.config("boxd.local", gw, false, HOST);
        assertEquals(gw, off.bindAddress());
        assertEquals(53, off.port());
        assertEquals("boxd.local", off.zone());
        assertEquals(gw, off.effectiveNsAddress());
        assertEquals(List.of(), off.upstreams(), "egress off: nothing outside is reachable, so refuse at once");
        assertEquals(HOST, BoxResolver.config("boxd.local", gw, true, HOST).upstreams());
    }

    @Test
    void describesWhereOtherNamesGo() throws Exception {
        InetAddress gw = InetAddress.getByName("10.77.0.1");
        String off = new BoxResolver(BoxResolver.config("boxd.local", gw, false, HOST), false, control()).describe();
        assertEquals("box-dns: resolver for boxes on 10.77.0.1:53 udp+tcp, zone boxd.local, other names refused (egress off)", off);
        String on = new BoxResolver(BoxResolver.config("boxd.local", gw, true, HOST), true, control()).describe();
        assertTrue(on.endsWith("other names forwarded to the host's resolvers 127.0.0.53:53"), on);
        String none = new BoxResolver(BoxResolver.config("boxd.local", gw, true, List.of()), true, control()).describe();
        assertTrue(none.endsWith("names no usable nameserver)"), none);
        assertTrue(BoxResolver.coveredByDnsRole(gw).describe().startsWith("box-dns: the dns role answers boxes on 10.77.0.1:53"));
    }

    @Test
    void anAddressThatCannotBeBoundFailsWithTheCauseAndWhatToDo() throws Exception {
        // 192.0.2.1 (TEST-NET-1) is no address of this host, so the bind fails as a missing bridge would make it fail
        BoxResolver r = new BoxResolver(BoxResolver.config("boxd.local", InetAddress.getByName("192.0.2.1"), false, HOST),
                false, control());
        try {
            BoxdException e = assertThrows(BoxdException.class, r::start);
            assertTrue(e.getMessage().startsWith("box-dns: cannot listen on 192.0.2.1:53 (udp and tcp), where every box's"
                    + " /etc/resolv.conf points: "), e.getMessage());
            assertTrue(e.hint().contains("port 53"), e.hint());
        } finally {
            r.close();
        }
    }

    @Test
    void startsAfterTheWorkerThatCreatesTheBridge() {
        List<String> names = Roles.steps().stream().map(RoleStep::name).toList();
        assertTrue(names.indexOf("box-dns") > names.indexOf("worker"), names.toString());
    }

    @Test
    void aHostRunsItsReplicaAndTheRolesItNamesWithBoxDnsGoingWithTheWorker() {
        assertEquals(List.of("control", "worker", "ssh", "dns", "box-dns", "proxy", "box-routes"),
                names(List.of("worker", "ssh", "dns", "proxy")));
        assertEquals(List.of("control", "worker", "box-dns", "box-routes"), names(List.of("worker")));
        assertEquals(List.of("control", "ssh", "dns", "proxy", "box-routes"), names(List.of("ssh", "dns", "proxy")));
    }

    private static List<String> names(List<String> roles) {
        boxd.app.config.BoxdConfig c = new boxd.app.config.BoxdConfig(new boxd.common.DataDir(java.nio.file.Path.of("/tmp/x")),
                2222, 5353, 8080, 8443, "boxd.local", boxd.app.config.BoxdConfig.Runtime.AUTO, "10.77.0.0/16",
                boxd.app.config.BoxdConfig.Policy.OPEN, false, "", "", List.of(), List.of(), roles, java.util.Map.of());
        return Roles.steps(c).stream().map(RoleStep::name).toList();
    }

    /** A replica with no boxes: what the DNS server reads at start. */
    private static Control control() {
        return (Control) Proxy.newProxyInstance(Control.class.getClassLoader(), new Class<?>[]{Control.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "watch" -> (AutoCloseable) () -> { };
                    case "allBoxes" -> List.of();
                    case "appliedIndex" -> 0L;
                    case "toString" -> "empty control";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
