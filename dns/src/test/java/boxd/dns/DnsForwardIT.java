package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import boxd.common.testing.Host;
import boxd.dns.testing.Dig;
import boxd.dns.testing.FakeControl;

/**
 * Forwarding names outside the zone, driven by the real {@code dig} on loopback: a second server, authoritative for
 * {@code upstream.test}, is the upstream of the server for {@code boxd.local}.
 */
class DnsForwardIT {
    private final FakeControl ours = new FakeControl();
    private final FakeControl theirs = new FakeControl();
    private DnsServer upstream;
    private DnsServer server;

    @BeforeEach
    void startUpstream() throws Exception {
        Host.requireCommand("dig", "dnsutils");
        ours.put("web", "10.77.0.2");
        theirs.put("x", "192.0.2.7");
        upstream = new DnsServer(loopback().withZone("upstream.test"), theirs);
        upstream.start();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (upstream != null) upstream.close();
    }

    private static DnsConfig loopback() {
        return DnsConfig.defaults().withBind(InetAddress.getLoopbackAddress(), 0).withRateLimit(0, 0);
    }

    private int forwarding(InetSocketAddress... upstreams) throws Exception {
        server = new DnsServer(loopback().withUpstreams(List.of(upstreams)), ours);
        server.start();
        return server.port();
    }

    private InetSocketAddress upstreamAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
    }

    @Test
    void namesOutsideTheZoneGetTheUpstreamsAnswerUnchanged() throws Exception {
        int port = forwarding(upstreamAddress());
        Dig.Result direct = Dig.query(upstream.port(), "x.upstream.test", "A");
        for (String transport : List.of("+notcp", "+tcp")) {
            Dig.Result r = Dig.query(port, "x.upstream.test", "A", transport);
            assertEquals("NOERROR", r.status(), r.raw());
            assertEquals(List.of("192.0.2.7"), r.answerData("A"), r.raw());
            assertEquals(direct.answer(), r.answer(), r.raw());
            // the upstream's own flags: authoritative, no recursion available (it is an authoritative server)
            assertTrue(r.hasFlag("aa"), r.raw());
            assertFalse(r.hasFlag("ra"), r.raw());
            assertFalse(r.raw().contains("ID mismatch"), r.raw());
            Dig.Result nx = Dig.query(port, "nobody.upstream.test", "A", transport);
            assertEquals("NXDOMAIN", nx.status(), nx.raw());
            assertTrue(nx.authority().get(0).contains("ns1.upstream.test."), nx.raw());
        }
        // and what the upstream refuses comes back refused
        assertEquals("REFUSED", Dig.query(port, "example.com", "A").status());
    }

    @Test
    void theZoneIsStillAnsweredLocally() throws Exception {
        int port = forwarding(upstreamAddress());
        for (String transport : List.of("+notcp", "+tcp")) {
            Dig.Result r = Dig.query(port, "web.boxd.local", "A", transport);
            assertEquals("NOERROR", r.status(), r.raw());
            assertEquals(List.of("10.77.0.2"), r.answerData("A"), r.raw());
            assertTrue(r.hasFlag("aa"), r.raw());
            assertEquals("NXDOMAIN", Dig.query(port, "nobody.boxd.local", "A", transport).status());
            Dig.Result soa = Dig.query(port, "boxd.local", "SOA", transport);
            assertTrue(soa.answerData("SOA").get(0).startsWith("ns1.boxd.local. "), soa.raw());
        }
        assertEquals(0, server.forwardsFailed());
    }

    @Test
    void withoutUpstreamsNamesOutsideTheZoneAreRefused() throws Exception {
        server = new DnsServer(loopback(), ours);
        server.start();
        Dig.Result r = Dig.query(server.port(), "x.upstream.test", "A");
        assertEquals("REFUSED", r.status(), r.raw());
        assertFalse(r.hasFlag("ra"), r.raw());
        assertTrue(server.describe().contains("other names refused"), server.describe());
    }

    @Test
    void anUpstreamThatDoesNotAnswerGivesServfailAfterItsTimeout() throws Exception {
        try (DatagramSocket silentUdp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             ServerSocket silentTcp = new ServerSocket(silentUdp.getLocalPort(), 8, InetAddress.getLoopbackAddress())) {
            int port = forwarding(new InetSocketAddress(InetAddress.getLoopbackAddress(), silentUdp.getLocalPort()));
            for (String transport : List.of("+notcp", "+tcp")) {
                long t0 = System.nanoTime();
                Dig.Result r = Dig.query(port, "x.upstream.test", "A", transport, "+time=6", "+tries=1");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals("SERVFAIL", r.status(), r.raw());
                assertTrue(ms >= Forwarder.TIMEOUT_MS - 100 && ms < Forwarder.TIMEOUT_MS + 3000,
                        "SERVFAIL after the upstream's " + Forwarder.TIMEOUT_MS + " ms timeout, took " + ms + " ms");
            }
            assertEquals(2, server.forwardsFailed());
            // the zone is answered at once meanwhile
            assertEquals(List.of("10.77.0.2"), Dig.query(port, "web.boxd.local", "A").answerData("A"));
        }
    }

    @Test
    void theNextUpstreamIsAskedWhenTheFirstDoesNotAnswer() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = forwarding(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    upstreamAddress());
            Dig.Result r = Dig.query(port, "x.upstream.test", "A", "+time=6", "+tries=1");
            assertEquals("NOERROR", r.status(), r.raw());
            assertEquals(List.of("192.0.2.7"), r.answerData("A"), r.raw());
        }
    }

    @Test
    void aServerNeverForwardsToItself() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        InetAddress any = InetAddress.getByName("0.0.0.0");
        assertTrue(DnsServer.isSelf(new InetSocketAddress(lo, 53), lo, 53));
        assertTrue(DnsServer.isSelf(new InetSocketAddress(lo, 53), any, 53));
        assertTrue(DnsServer.isSelf(new InetSocketAddress("127.0.0.53", 53), any, 53), "all of 127/8 is local");
        assertFalse(DnsServer.isSelf(new InetSocketAddress("127.0.0.53", 53), lo, 53), "another address, bound apart");
        assertFalse(DnsServer.isSelf(new InetSocketAddress(lo, 53), lo, 5353));
        assertFalse(DnsServer.isSelf(new InetSocketAddress("192.0.2.1", 53), any, 53), "not an address of this host");

        // listed as its own upstream, beside a real one: only the real one is asked
        int free;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            free = probe.getLocalPort();
        }
        server = new DnsServer(loopback().withBind(lo, free)
                .withUpstreams(List.of(new InetSocketAddress(lo, free), upstreamAddress())), ours);
        server.start();
        assertTrue(server.describe().endsWith("other names forwarded to 127.0.0.1:" + upstream.port()), server.describe());
        Dig.Result r = Dig.query(server.port(), "x.upstream.test", "A");
        assertEquals(List.of("192.0.2.7"), r.answerData("A"), r.raw());
    }
}
