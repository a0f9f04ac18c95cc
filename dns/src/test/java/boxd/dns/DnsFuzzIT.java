package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import boxd.common.testing.Host;
import boxd.dns.testing.Dig;
import boxd.dns.testing.DnsClient;
import boxd.dns.testing.FakeControl;

/**
 * 50,000 random, truncated and mutated packets over UDP and a few hundred hostile TCP connections; afterwards the
 * real {@code dig} must still get correct answers over both. The control plane is the in-memory fake: what is under
 * test is the listeners' and the parser's robustness.
 */
class DnsFuzzIT {
    private static final int UDP_PACKETS = 50_000;
    private static final int TCP_CONNECTIONS = 200;

    private DnsServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void hostilePacketsLeaveTheServerAnswering() throws Exception {
        Host.requireCommand("dig", "dnsutils");
        FakeControl control = new FakeControl();
        control.put("web", "10.77.0.2");
        server = new DnsServer(DnsConfig.defaults().withBind(InetAddress.getLoopbackAddress(), 0).withRateLimit(0, 0), control);
        server.start();
        int port = server.port();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String context = "seed " + seed;
        List<byte[]> seeds = seedQueries();

        long startNanos = System.nanoTime();
        var target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setReceiveBufferSize(1 << 16);
            for (int i = 0; i < UDP_PACKETS; i++) {
                byte[] p = hostilePacket(random, seeds, i);
                socket.send(new DatagramPacket(p, p.length, target));
                if (i % 50 == 49) {
                    // Pace the flood so the kernel does not drop it before the server sees it, and check liveness on
                    // the way: replies come in order, so a clean query's answer means the packets before it were handled.
                    Message ok = null;
                    for (int attempt = 0; attempt < 3 && ok == null; attempt++)
                        ok = DnsClient.udp(port, DnsClient.query("web.boxd.local.", Type.A).toWire(), 2000);
                    assertNotNull(ok, "no answer after " + (i + 1) + " hostile packets; " + context);
                    assertEquals(Rcode.NOERROR, ok.getRcode(), context);
                }
            }
        }
        long udpDone = System.nanoTime();
        for (int i = 0; i < TCP_CONNECTIONS; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(100); // short: a connection the server keeps open costs the test only this
                OutputStream out = s.getOutputStream();
                byte[] body = hostilePacket(random, seeds, random.nextInt(1000));
                switch (i % 5) {
                    case 0 -> { out.write(body.length >>> 8); out.write(body.length); out.write(body); }
                    case 1 -> { out.write(0xFF); out.write(0xFF); out.write(body); }          // promises 65535, sends less
                    case 2 -> { out.write(body.length >>> 8); }                               // half a length prefix
                    case 3 -> { out.write(0); out.write(0); }                                 // zero-length message
                    default -> out.write(body);                                               // no framing at all
                }
                out.flush();
                drain(s);
            } catch (IOException e) {
                // the server may reset a connection it refuses; that is fine
            }
        }

        System.out.printf("dns fuzz: %d udp packets in %d ms (%d dropped), %d tcp connections in %d ms%n", UDP_PACKETS,
                (udpDone - startNanos) / 1_000_000, server.udpDropped(), TCP_CONNECTIONS, (System.nanoTime() - udpDone) / 1_000_000);
        assertEquals(List.of("10.77.0.2"), Dig.query(port, "web.boxd.local", "A").answerData("A"), context);
        assertEquals(List.of("10.77.0.2"), Dig.query(port, "x.web.boxd.local", "A", "+tcp").answerData("A"), context);
        assertEquals("NXDOMAIN", Dig.query(port, "nobody.boxd.local", "A").status(), context);
        assertEquals("REFUSED", Dig.query(port, "example.com", "A", "+tcp").status(), context);
        assertTrue(server.udpDropped() > UDP_PACKETS / 2, "most hostile packets were dropped: " + server.udpDropped());
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (server.tcpOpenConnections() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(0, server.tcpOpenConnections(), "every hostile TCP connection was closed (idle timeout at most)");
    }

    /** Real queries of several shapes, the base for mutation. */
    private static List<byte[]> seedQueries() throws IOException {
        Message edns = DnsClient.query("api.web.boxd.local.", Type.A);
        edns.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message any = Message.newQuery(Record.newRecord(Name.fromString("boxd.local."), Type.ANY, DClass.IN));
        return List.of(DnsClient.query("web.boxd.local.", Type.A).toWire(), edns.toWire(), any.toWire(),
                DnsClient.query("nobody.boxd.local.", Type.AAAA).toWire());
    }

    private static byte[] hostilePacket(Random random, List<byte[]> seeds, int i) {
        byte[] seed = seeds.get(random.nextInt(seeds.size()));
        switch (i % 8) {
            case 0, 1 -> { // random bytes, often shorter than a header
                byte[] p = new byte[random.nextInt(i % 2 == 0 ? 16 : 700)];
                random.nextBytes(p);
                return p;
            }
            case 2 -> { // truncated real query
                return Arrays.copyOf(seed, random.nextInt(seed.length));
            }
            case 3, 4 -> { // real query with a few random bytes changed
                byte[] p = seed.clone();
                for (int m = 0; m < 1 + random.nextInt(6); m++) p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                return p;
            }
            case 5 -> { // header with absurd counts
                byte[] p = seed.clone();
                for (int c = 4; c < 12; c++) p[c] = (byte) random.nextInt(256);
                return p;
            }
            case 6 -> { // compression pointers anywhere in the name (loops, forward, beyond the end)
                byte[] p = seed.clone();
                int at = 12 + random.nextInt(Math.max(1, p.length - 14));
                p[at] = (byte) (0xC0 | random.nextInt(4));
                p[at + 1] = (byte) random.nextInt(256);
                return p;
            }
            default -> { // over-long, or a real query with junk appended
                byte[] p = Arrays.copyOf(seed, seed.length + random.nextInt(random.nextBoolean() ? 200 : 6000));
                return p;
            }
        }
    }

    private static void drain(Socket s) {
        try {
            byte[] buf = new byte[1024];
            while (s.getInputStream().read(buf) >= 0) {
                // read whatever comes until the server closes or the short timeout passes
            }
        } catch (IOException e) {
            // timeout or reset: done with this connection
        }
    }
}
