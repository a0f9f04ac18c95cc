package boxd.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PortCheckTest {
    @Test
    void aTakenPortIsNamedWithItsRoleAndFlag() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(0));
            int port = busy.getLocalPort();
            Optional<String> msg = PortCheck.firstTaken(List.of(new PortCheck.Listen("ssh", "--ssh-port", port, true, false)));
            assertTrue(msg.isPresent());
            assertTrue(msg.get().contains("port " + port + "/tcp (ssh)"), msg.get());
            assertTrue(msg.get().contains("--ssh-port"), msg.get());
        }
    }

    @Test
    void freePortsPassAndTheSamePortTwiceIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(Optional.empty(), PortCheck.firstTaken(List.of(new PortCheck.Listen("dns", "--dns-port", port, true, true))));
        Optional<String> dup = PortCheck.firstTaken(List.of(new PortCheck.Listen("http proxy", "--http-port", port, true, false),
                new PortCheck.Listen("https proxy", "--https-port", port, true, false)));
        assertTrue(dup.orElseThrow().contains("given to both http proxy and https proxy"), dup.get());
    }
}
