package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import boxd.dns.testing.DnsClient;
import boxd.dns.testing.FakeControl;

/** The server on loopback with a fake control plane: listeners, live updates, limits, lifecycle. */
class DnsServerTest {
    private final FakeControl control = new FakeControl();
    private DnsServer server;

    private DnsServer start(DnsConfig config) throws Exception {
        server = new DnsServer(config, control);
        server.start();
        return server;
    }

    private static DnsConfig loopback() {
        return DnsConfig.defaults().withBind(InetAddress.getLoopbackAddress(), 0).withRateLimit(0, 0);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void answersOverUdpAndTcpFromTheReplica() throws Exception {
        control.put("web", "10.77.0.2");
        DnsServer s = start(loopback());
        assertTrue(s.port() > 0);
        Message udp = DnsClient.udp(s.port(), DnsClient.query("web.boxd.local.", Type.A));
        assertEquals("10.77.0.2", ((ARecord) udp.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        Message[] tcp = DnsClient.tcp(s.port(), DnsClient.query("x.web.boxd.local.", Type.A),
                DnsClient.query("nobody.boxd.local.", Type.A), DnsClient.query("example.com.", Type.A));
        assertEquals("10.77.0.2", ((ARecord) tcp[0].getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        assertEquals(Rcode.NXDOMAIN, tcp[1].getRcode());
        assertEquals(Rcode.REFUSED, tcp[2].getRcode());
        assertTrue(s.describe().contains("boxd.local") && s.describe().contains(String.valueOf(s.port())), s.describe());
    }

    @Test
    void changesAreAnsweredWithinASecond() throws Exception {
        DnsServer s = start(loopback());
        assertEquals(Rcode.NXDOMAIN, DnsClient.udp(s.port(), DnsClient.query("new.boxd.local.", Type.A)).getRcode());
        control.put("new", "10.77.0.9");
        long t0 = System.nanoTime();
        while (DnsClient.udp(s.port(), DnsClient.query("new.boxd.local.", Type.A)).getRcode() != Rcode.NOERROR) {
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a new box is answered within 1 s");
            Thread.sleep(5);
        }
        control.remove("new");
        t0 = System.nanoTime();
        while (DnsClient.udp(s.port(), DnsClient.query("new.boxd.local.", Type.A)).getRcode() != Rcode.NXDOMAIN) {
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a removed box is gone within 1 s");
            Thread.sleep(5);
        }
    }

    @Test
    void aFailingReplicaKeepsThePreviousAnswersAndRecovers() throws Exception {
        control.put("web", "10.77.0.2");
        DnsServer s = start(loopback());
        control.failReads(new IllegalStateException("replica unavailable (test)"));
        control.put("db", "10.77.0.3");
        Thread.sleep(300);
        assertEquals(Rcode.NOERROR, DnsClient.udp(s.port(), DnsClient.query("web.boxd.local.", Type.A)).getRcode());
        control.failReads(null);
        long t0 = System.nanoTime();
        while (DnsClient.udp(s.port(), DnsClient.query("db.boxd.local.", Type.A)).getRcode() != Rcode.NOERROR) {
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "the refresher retries after a failed read");
            Thread.sleep(20);
        }
    }

    @Test
    void udpIsRateLimitedPerSource() throws Exception {
        control.put("web", "10.77.0.2");
        DnsServer s = start(loopback().withRateLimit(1, 5));
        int answered = 0;
        byte[] q = DnsClient.query("web.boxd.local.", Type.A).toWire();
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) if (DnsClient.udp(s.port(), q, 150) != null) answered++;
        double seconds = (System.nanoTime() - t0) / 1e9;
        int most = 5 + (int) Math.ceil(seconds * 1) + 1; // the burst, then 1/s for as long as the loop took
        assertTrue(answered >= 5 && answered <= most, "burst 5 then 1/s over " + seconds + " s allows 5-" + most
                + " of 20, got " + answered);
        assertTrue(s.udpRateLimited() >= 20 - most, "the others were dropped by the limit: " + s.udpRateLimited());
        assertEquals(Rcode.NOERROR, DnsClient.tcp(s.port(), DnsClient.query("web.boxd.local.", Type.A))[0].getRcode(),
                "TCP is not rate limited: a limited client can still get its answer");
    }

    @Test
    void garbageIsDroppedAndTheServerKeepsAnswering() throws Exception {
        control.put("web", "10.77.0.2");
        DnsServer s = start(loopback());
        assertNull(DnsClient.udp(s.port(), new byte[] {1, 2, 3}, 200));
        assertNull(DnsClient.udp(s.port(), new byte[] {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1}, 200));
        assertNull(DnsClient.udp(s.port(), new byte[5000], 200), "over-long datagram");
        // TCP: a malformed message closes that connection only
        try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            sock.setSoTimeout(2000);
            DataOutputStream out = new DataOutputStream(sock.getOutputStream());
            out.writeShort(5);
            out.write(new byte[] {9, 9, 9, 9, 9});
            out.flush();
            assertThrows(EOFException.class, () -> new DataInputStream(sock.getInputStream()).readUnsignedShort());
        }
        assertEquals(Rcode.NOERROR, DnsClient.udp(s.port(), DnsClient.query("web.boxd.local.", Type.A)).getRcode());
        assertTrue(s.udpDropped() >= 3);
    }

    @Test
    void tcpConnectionsAreBounded() throws Exception {
        DnsServer s = start(loopback().withMaxTcpConnections(4)); // 1 per source (a quarter)
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            Thread.sleep(100);
            try (Socket second = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                second.setSoTimeout(2000);
                assertEquals(-1, second.getInputStream().read(), "the second connection from one source is closed");
            }
            DataOutputStream out = new DataOutputStream(first.getOutputStream());
            byte[] q = DnsClient.query("boxd.local.", Type.SOA).toWire();
            out.writeShort(q.length);
            out.write(q);
            out.flush();
            first.setSoTimeout(2000);
            DataInputStream in = new DataInputStream(first.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            assertEquals(Rcode.NOERROR, new Message(r).getRcode(), "the first one still works");
        }
    }

    @Test
    void closeReleasesThePortAndStopsWatching() throws Exception {
        DnsServer s = start(loopback());
        int port = s.port();
        assertEquals(1, control.watcherCount());
        s.close();
        s.close();
        assertEquals(0, control.watcherCount());
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertNotNull(again);
        }
    }

    @Test
    void aSecondServerOnTheSamePortFailsInsteadOfSharingIt() throws Exception {
        DnsServer first = start(loopback().withUdpThreads(2));
        try (DnsServer second = new DnsServer(loopback().withBind(InetAddress.getLoopbackAddress(), first.port()), control)) {
            assertThrows(IOException.class, second::start);
        }
        control.put("web", "10.77.0.2");
        Thread.sleep(100);
        for (int i = 0; i < 20; i++) {
            assertEquals(Rcode.NOERROR, DnsClient.udp(first.port(), DnsClient.query("web.boxd.local.", Type.A)).getRcode(),
                    "every UDP socket of the group answers, none was left to the failed server");
        }
    }

    @Test
    void aPortInUseFailsToStartWithAHint() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DnsServer s = new DnsServer(loopback().withBind(InetAddress.getLoopbackAddress(), taken.getLocalPort()), control);
            IOException e = assertThrows(IOException.class, s::start);
            assertTrue(e.getMessage().contains(String.valueOf(taken.getLocalPort())) && e.getMessage().contains("--dns-port"),
                    e.getMessage());
            assertEquals(0, control.watcherCount(), "a failed start releases what it took");
            s.close();
        }
    }
}
