package boxd.control;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

import java.util.Set;

/**
 * The box address pool: an IPv4 CIDR whose first host address is the gateway (the worker's bridge); boxes get the
 * following addresses, lowest free first. The broadcast address is never handed out.
 */
public record Ipv4Pool(long network, int prefix) {
    public static final Ipv4Pool DEFAULT = parseCidr("10.77.0.0/16");

    public Ipv4Pool {
        if (prefix < 8 || prefix > 30) throw new BoxdException(ErrorCode.INVALID, "address pool prefix must be /8-/30, got /" + prefix);
    }

    /** Parses "A.B.C.D/N". @throws BoxdException INVALID */
    public static Ipv4Pool parseCidr(String cidr) {
        String[] p = cidr == null ? new String[0] : cidr.split("/");
        long ip = p.length == 2 ? parse(p[0]) : -1;
        int prefix;
        try {
            prefix = p.length == 2 ? Integer.parseInt(p[1]) : -1;
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (ip < 0 || prefix < 8 || prefix > 30)
            throw new BoxdException(ErrorCode.INVALID, "invalid address pool '" + cidr + "'", "write it like 10.77.0.0/16");
        long mask = (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
        return new Ipv4Pool(ip & mask, prefix);
    }

    /** {@return the address as an unsigned 32-bit number, or -1 when it is not a dotted quad} */
    public static long parse(String s) {
        if (s == null) return -1;
        String[] p = s.split("\\.", -1);
        if (p.length != 4) return -1;
        long v = 0;
        for (String part : p) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return -1;
            int n = Integer.parseInt(part);
            if (n > 255) return -1;
            v = (v << 8) | n;
        }
        return v;
    }

    public static String format(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    public String gateway() { return format(network + 1); }

    public long first() { return network + 2; }

    public long last() { return network + (1L << (32 - prefix)) - 2; }

    public String cidr() { return format(network) + "/" + prefix; }

    /** {@return the lowest address of the pool that is in neither set, or -1 when the pool is exhausted} */
    public long lowestFree(Set<Long> allocated, Set<Long> reserved) {
        for (long a = first(); a <= last(); a++) {
            if (!allocated.contains(a) && !reserved.contains(a)) return a;
        }
        return -1;
    }
}
