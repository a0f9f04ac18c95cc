package boxd.proxy.tcp;

import boxd.proxy.Transport;
import boxd.proxy.route.RouteTable.Forward;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Listeners follow the wanted set; a port held by someone else is reported and taken at a later reconcile. */
class PortForwardersTest {
    private final Transport transport = Transport.create(1);

    @AfterEach
    void stop() { transport.shutdown(); }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void opensRetriesAndClosesListeners() throws Exception {
        try (ServerSocket box = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             PortForwarders fw = new PortForwarders(transport, "127.0.0.1",
                     a -> new InetSocketAddress("127.0.0.1", box.getLocalPort()))) {
            int port = freePort();
            Forward f = new Forward(port, "web", "10.77.0.2", 22, "ssh");
            try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(1, fw.reconcile(Map.of(port, f)), "a taken port is reported unbound");
                assertTrue(fw.openPorts().isEmpty());
            }
            assertEquals(0, fw.reconcile(Map.of(port, f)), "taken once free");
            assertEquals(java.util.Set.of(port), fw.openPorts());

            try (Socket client = new Socket("127.0.0.1", port); Socket accepted = box.accept()) {
                client.getOutputStream().write("to the box".getBytes(StandardCharsets.US_ASCII));
                assertEquals("to the box", new String(accepted.getInputStream().readNBytes(10), StandardCharsets.US_ASCII));
                accepted.getOutputStream().write("back".getBytes(StandardCharsets.US_ASCII));
                assertEquals("back", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
                accepted.close();
                client.setSoTimeout(5000);
                assertEquals(-1, client.getInputStream().read(), "the box closing closes the client");
            }

            assertEquals(0, fw.reconcile(Map.of()));
            assertTrue(fw.openPorts().isEmpty());
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "the port is closed again");
        }
    }

    @Test
    void aBoxThatDoesNotAnswerClosesTheClient() throws Exception {
        int dead = freePort();
        try (PortForwarders fw = new PortForwarders(transport, "127.0.0.1",
                a -> new InetSocketAddress("127.0.0.1", dead))) {
            int port = freePort();
            assertEquals(0, fw.reconcile(Map.of(port, new Forward(port, "web", "10.77.0.2", 8080, "expose"))));
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout(5000);
                assertEquals(-1, client.getInputStream().read());
            }
        }
    }
}
