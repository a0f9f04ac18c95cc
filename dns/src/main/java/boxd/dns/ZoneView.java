package boxd.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.xbill.DNS.Address;

import boxd.common.Box;
import boxd.common.DesiredState;
import boxd.common.Names;

/**
 * An immutable snapshot of the names the zone answers for, built from the local replica and swapped in whole, so a
 * lookup is one hash-map read and never waits on the control plane or the disk.
 *
 * <p>Which boxes have a name: every box with an IPv4 address whose desired state is not DESTROYED, whatever its
 * observed state. A box gets its address when it is created, so its name resolves from then on (the proxy answers
 * 502 until it runs), and stops resolving as soon as destruction is asked for, before the worker has torn it down.
 *
 * @param addresses lower-case box name to the box's address
 * @param serial    SOA serial: the replica's applied index when the view was built (mod 2^32)
 */
public record ZoneView(Map<String, Inet4Address> addresses, long serial) {

    public static final ZoneView EMPTY = new ZoneView(Map.of(), 1);

    public ZoneView {
        addresses = Map.copyOf(addresses);
        serial = serial & 0xFFFF_FFFFL;
    }

    /** {@return the view of {@code boxes} (see the class comment for which count)} */
    public static ZoneView of(Collection<Box> boxes, long serial) {
        Map<String, Inet4Address> map = new HashMap<>();
        for (Box box : boxes) {
            if (box.desired() == DesiredState.DESTROYED || !Names.isValidLabel(box.name())) continue;
            Inet4Address address = parseIpv4(box.ipv4());
            if (address != null) map.put(box.name(), address);
        }
        return new ZoneView(map, serial);
    }

    /** {@return the address of the box named {@code lowerCaseName}, or null} */
    public Inet4Address address(String lowerCaseName) {
        return addresses.get(lowerCaseName);
    }

    public int size() {
        return addresses.size();
    }

    /** Parses a dotted-quad literal without any name lookup; null for anything else. */
    static Inet4Address parseIpv4(String text) {
        if (text == null || text.isBlank()) return null;
        byte[] bytes = Address.toByteArray(text.strip(), Address.IPv4);
        if (bytes == null) return null;
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
