package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import boxd.common.BoxSpec;
import boxd.common.Control;
import boxd.common.testing.Host;
import boxd.common.testing.TestKeys;
import boxd.control.ControlNode;
import boxd.dns.testing.Dig;

/**
 * The DNS role driven by the real {@code dig} on loopback, answering from a real single-node control plane: boxes are
 * created and destroyed through {@link Control} exactly as the SSH frontend does it.
 */
class DnsServerIT {
    @TempDir
    static Path dir;
    private static ControlNode node;
    private static Control control;
    private static DnsServer server;
    private static int port;
    private static String webIp;

    @BeforeAll
    static void start() throws Exception {
        Host.requireCommand("dig", "dnsutils");
        node = ControlNode.singleNode(dir.resolve("control"));
        node.start();
        control = node.client();
        control.registerUser("alice", TestKeys.publicLine(TestKeys.ed25519(dir.resolve("keys"), "alice")));
        webIp = control.createBox("alice", "web", BoxSpec.DEFAULT).ipv4();
        server = new DnsServer(DnsConfig.defaults().withBind(InetAddress.getLoopbackAddress(), 0)
                .withNsAddress(ZoneAnswererTest.ip("127.0.0.1")), control);
        server.start();
        port = server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (node != null) node.close();
    }

    private static String create(String name) {
        return control.createBox("alice", name, BoxSpec.DEFAULT).ipv4();
    }

    private static void destroy(String name) {
        control.destroyBox("alice", name);
    }

    @Test
    void aBoxResolvesToItsAddress() {
        Dig.Result r = Dig.query(port, "web.boxd.local", "A");
        assertEquals("NOERROR", r.status(), r.raw());
        assertTrue(r.hasFlag("aa"), "authoritative: " + r.raw());
        assertFalse(r.hasFlag("ra"), "no recursion: " + r.raw());
        assertEquals(List.of(webIp), r.answerData("A"), r.raw());
        assertTrue(r.answer().get(0).matches("web\\.boxd\\.local\\.\\s+60\\s+IN\\s+A\\s+.*"), r.raw());
    }

    @Test
    void anyNameBelowABoxResolvesToTheBox() {
        for (String name : List.of("api.web.boxd.local", "a.b.web.boxd.local", "*.web.boxd.local", "API.Web.BOXD.local")) {
            Dig.Result r = Dig.query(port, name, "A");
            assertEquals("NOERROR", r.status(), name + "\n" + r.raw());
            assertEquals(List.of(webIp), r.answerData("A"), r.raw());
        }
    }

    @Test
    void soaAndNsAtTheApex() {
        Dig.Result soa = Dig.query(port, "boxd.local", "SOA");
        assertEquals("NOERROR", soa.status(), soa.raw());
        assertTrue(soa.hasFlag("aa"));
        String data = soa.answerData("SOA").get(0);
        assertTrue(data.startsWith("ns1.boxd.local. hostmaster.boxd.local. "), data);
        assertTrue(data.endsWith(" 60"), "minimum (negative TTL) 60: " + data);

        Dig.Result ns = Dig.query(port, "boxd.local", "NS");
        assertEquals(List.of("ns1.boxd.local."), ns.answerData("NS"), ns.raw());
        assertTrue(ns.additional().stream().anyMatch(l -> l.matches("ns1\\.boxd\\.local\\.\\s+60\\s+IN\\s+A\\s+127\\.0\\.0\\.1")),
                "glue for ns1: " + ns.raw());
        Dig.Result ns1 = Dig.query(port, "ns1.boxd.local", "A");
        assertEquals(List.of("127.0.0.1"), ns1.answerData("A"), ns1.raw());
    }

    @Test
    void unknownNamesAreNxdomainWithTheSoa() {
        Dig.Result r = Dig.query(port, "nobody.boxd.local", "A");
        assertEquals("NXDOMAIN", r.status(), r.raw());
        assertTrue(r.hasFlag("aa"));
        assertTrue(r.answer().isEmpty());
        assertTrue(r.authority().get(0).matches("boxd\\.local\\.\\s+60\\s+IN\\s+SOA\\s+ns1\\.boxd\\.local\\..*"), r.raw());
    }

    @Test
    void otherTypesOfAnExistingNameAreNodata() {
        Dig.Result r = Dig.query(port, "web.boxd.local", "AAAA");
        assertEquals("NOERROR", r.status(), r.raw());
        assertTrue(r.answer().isEmpty(), r.raw());
        assertEquals(1, r.authority().size(), r.raw());
    }

    @Test
    void namesOutsideTheZoneAreRefused() {
        for (String name : List.of("example.com", "local", ".")) {
            Dig.Result r = Dig.query(port, name, "A");
            assertEquals("REFUSED", r.status(), r.raw());
            assertFalse(r.hasFlag("aa"));
            assertFalse(r.hasFlag("ra"));
        }
    }

    @Test
    void tcpAnswersTheSame() {
        Dig.Result r = Dig.query(port, "api.web.boxd.local", "A", "+tcp");
        assertEquals("NOERROR", r.status(), r.raw());
        assertEquals(List.of(webIp), r.answerData("A"), r.raw());
        assertTrue(r.raw().contains("(TCP)"), r.raw());
        assertEquals("NXDOMAIN", Dig.query(port, "nobody.boxd.local", "A", "+tcp").status());
        assertEquals("NOERROR", Dig.query(port, "boxd.local", "SOA", "+tcp").status());
    }

    @Test
    void ednsIsEchoedAndPlainDnsGetsNone() {
        Dig.Result edns = Dig.query(port, "web.boxd.local", "A", "+bufsize=4096");
        assertEquals(ZoneAnswerer.MAX_UDP_REPLY, edns.ednsUdp(), edns.raw());
        Dig.Result plain = Dig.query(port, "web.boxd.local", "A", "+noedns");
        assertNull(plain.ednsUdp(), plain.raw());
        assertEquals(List.of(webIp), plain.answerData("A"));
    }

    @Test
    void aBoxCreatedASecondAgoResolvesAndOneDestroyedASecondAgoDoesNot() throws Exception {
        assertEquals("NXDOMAIN", Dig.query(port, "fresh.boxd.local", "A").status());
        String ip = create("fresh");
        Thread.sleep(1000);
        Dig.Result created = Dig.query(port, "fresh.boxd.local", "A");
        assertEquals("NOERROR", created.status(), created.raw());
        assertEquals(List.of(ip), created.answerData("A"));
        assertEquals(List.of(ip), Dig.query(port, "www.fresh.boxd.local", "A").answerData("A"));

        destroy("fresh");
        Thread.sleep(1000);
        Dig.Result gone = Dig.query(port, "fresh.boxd.local", "A");
        assertEquals("NXDOMAIN", gone.status(), gone.raw());
        assertEquals("NXDOMAIN", Dig.query(port, "www.fresh.boxd.local", "A").status());
    }
}
