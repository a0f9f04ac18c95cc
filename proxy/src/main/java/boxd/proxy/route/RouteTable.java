package boxd.proxy.route;

import boxd.common.Box;
import boxd.common.Exposure;
import boxd.common.ProxyRoute;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An immutable snapshot of what the proxy serves, built from the local replica whenever it changes and swapped in
 * atomically, so lookups on the event loop are plain map reads that never block.
 *
 * <p>Host names: {@code NAME.ZONE} goes to the box's "" route or port 8000; {@code SUB.NAME.ZONE} goes to its route.
 */
public final class RouteTable {

    /** Where a host name leads. */
    public sealed interface Resolution permits Found, UnknownHost, BoxDown {}

    /** A running box to dial at {@code ipv4:port}. */
    public record Found(String boxName, String ipv4, int port) implements Resolution {}

    /** No box or route answers this name. */
    public record UnknownHost(String host) implements Resolution {}

    /** The box exists but is not running. */
    public record BoxDown(String boxName, String state) implements Resolution {}

    /** One TCP listener the proxy host should hold: {@code publicPort} to {@code ipv4:boxPort}. */
    public record Forward(int publicPort, String boxName, String ipv4, int boxPort, String kind) {}

    private final String zoneSuffix;
    private final Map<String, Box> boxesByName;
    private final Map<String, Integer> routes; // host label ("web", "api.web") -> box port
    private final Map<Integer, Forward> forwards;

    private RouteTable(String zone, Map<String, Box> boxesByName, Map<String, Integer> routes,
                       Map<Integer, Forward> forwards) {
        this.zoneSuffix = "." + zone;
        this.boxesByName = boxesByName;
        this.routes = routes;
        this.forwards = forwards;
    }

    public static RouteTable empty(String zone) {
        return new RouteTable(zone, Map.of(), Map.of(), Map.of());
    }

    /** Builds the table from what the replica holds now. */
    public static RouteTable build(String zone, List<Box> boxes, List<ProxyRoute> routes, List<Exposure> exposures,
                                   boolean sshPorts) {
        Map<String, Box> byName = new HashMap<>();
        Map<String, Box> byId = new HashMap<>();
        for (Box b : boxes) {
            byName.put(b.name().toLowerCase(Locale.ROOT), b);
            byId.put(b.id(), b);
        }
        Map<String, Integer> labels = new HashMap<>();
        for (ProxyRoute r : routes) labels.put(r.hostLabel().toLowerCase(Locale.ROOT), r.port());
        Map<Integer, Forward> fwd = new HashMap<>();
        for (Exposure e : exposures) {
            Box b = byId.get(e.boxId());
            if (b == null || b.ipv4() == null) continue;
            fwd.put(e.publicPort(), new Forward(e.publicPort(), b.name(), b.ipv4(), e.boxPort(), "expose"));
        }
        if (sshPorts) {
            for (Box b : boxes) {
                if (b.sshPort() > 0 && b.ipv4() != null && !fwd.containsKey(b.sshPort())) {
                    fwd.put(b.sshPort(), new Forward(b.sshPort(), b.name(), b.ipv4(), 22, "ssh"));
                }
            }
        }
        return new RouteTable(zone, Map.copyOf(byName), Map.copyOf(labels), Map.copyOf(fwd));
    }

    /** {@return where a Host header value ("web.boxd.local:8443", "API.Web.boxd.local.") leads} */
    public Resolution resolve(String hostHeader) {
        String host = hostOnly(hostHeader);
        if (host == null || !host.endsWith(zoneSuffix)) return new UnknownHost(String.valueOf(host));
        String label = host.substring(0, host.length() - zoneSuffix.length());
        if (label.isEmpty()) return new UnknownHost(host);
        int dot = label.indexOf('.');
        String boxName = dot < 0 ? label : label.substring(dot + 1);
        if (boxName.indexOf('.') >= 0) return new UnknownHost(host); // deeper than SUB.NAME
        Box box = boxesByName.get(boxName);
        if (box == null) return new UnknownHost(host);
        Integer port = routes.get(label);
        if (port == null) {
            if (dot >= 0) return new UnknownHost(host);
            port = boxd.common.ProxyRoute.DEFAULT_PORT;
        }
        if (!box.isRunning() || box.ipv4() == null) {
            return new BoxDown(box.name(), box.desired() + "/" + box.observed());
        }
        return new Found(box.name(), box.ipv4(), port);
    }

    /** {@return the TCP listeners this snapshot asks for, by public port} */
    public Map<Integer, Forward> forwards() { return forwards; }

    /** Lower-cases, drops the port and a trailing dot; null for an empty or bracketed (IPv6 literal) host. */
    static String hostOnly(String hostHeader) {
        if (hostHeader == null) return null;
        String h = hostHeader.trim();
        if (h.isEmpty() || h.startsWith("[")) return null;
        int colon = h.indexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        h = h.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h.isEmpty() ? null : h;
    }
}
