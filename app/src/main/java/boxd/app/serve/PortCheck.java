package boxd.app.serve;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before anything is built or started, that every port serve will listen on is free, so a taken port fails
 * in a second with its name instead of after the images are built and half the roles are up.
 */
public final class PortCheck {
    /** One listening port: which role, which flag moves it, TCP and/or UDP. */
    public record Listen(String role, String flag, int port, boolean tcp, boolean udp) {}

    private PortCheck() {}

    /** {@return a message for the first port that is taken, or empty when all are free} */
    public static Optional<String> firstTaken(List<Listen> listens) {
        List<String> seen = new ArrayList<>();
        for (Listen l : listens) {
            for (String s : seen) {
                if (s.split(" ")[0].equals(Integer.toString(l.port()))) {
                    return Optional.of("port " + l.port() + " is given to both " + s.split(" ", 2)[1] + " and "
                            + l.role() + "; move one with " + l.flag());
                }
            }
            seen.add(l.port() + " " + l.role());
            if (l.tcp()) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(l.port()));
                } catch (IOException e) {
                    return Optional.of(taken(l, "tcp", e));
                }
            }
            if (l.udp()) {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.bind(new InetSocketAddress(l.port()));
                } catch (IOException e) {
                    return Optional.of(taken(l, "udp", e));
                }
            }
        }
        return Optional.empty();
    }

    private static String taken(Listen l, String proto, IOException e) {
        return "port " + l.port() + "/" + proto + " (" + l.role() + ") is not available: " + e.getMessage()
                + "; stop what uses it (ss -lntup | grep :" + l.port() + ") or choose another with " + l.flag() + " PORT";
    }
}
