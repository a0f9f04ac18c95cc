package boxd.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

/**
 * Settings of the authoritative DNS role.
 *
 * @param bindAddress        address the UDP and TCP listeners bind to (default 0.0.0.0)
 * @param port               port for both UDP and TCP (default 5353; 0 picks a free port, see {@link DnsServer#port()})
 * @param zone               the zone served, e.g. "boxd.local" (default) or a real domain delegated to this server;
 *                           without the trailing dot, lower-cased
 * @param answerMode         what {@code NAME.ZONE} resolves to: the box's own address, or {@code proxyAddress}
 * @param proxyAddress       the proxy host's IPv4 address; required for {@link AnswerMode#PROXY_ADDRESS}, else null
 * @param nsAddress          the IPv4 address published for {@code ns1.ZONE}, the zone's name server; null means the
 *                           bind address, or 127.0.0.1 when bound to the wildcard address
 * @param ttlSeconds         TTL of every record, and the negative-caching TTL (SOA minimum); default 60
 * @param rateLimitPerSecond UDP queries per second answered per source address; 0 turns the limit off
 * @param rateLimitBurst     queries a source may send at once before the per-second rate applies
 * @param udpThreads         threads answering UDP (they share one socket)
 * @param maxTcpConnections  open TCP connections at most, all sources together
 * @param upstreams          resolvers that queries for names outside the zone are forwarded to, tried in order (see
 *                           {@link DnsServer}); empty (the default) answers them REFUSED
 */
public record DnsConfig(InetAddress bindAddress, int port, String zone, AnswerMode answerMode,
                        Inet4Address proxyAddress, Inet4Address nsAddress, int ttlSeconds,
                        int rateLimitPerSecond, int rateLimitBurst, int udpThreads, int maxTcpConnections,
                        List<InetSocketAddress> upstreams) {

    public static final int DEFAULT_PORT = 5353;
    public static final String DEFAULT_ZONE = "boxd.local";
    public static final int DEFAULT_TTL = 60;

    /** What an A query for a box name is answered with. */
    public enum AnswerMode {
        /** The box's own address from the pool (boxes are routable from the clients). */
        BOX_ADDRESS,
        /** The proxy host's address (boxes are not routable; the proxy forwards HTTP(S), SSH and exposed ports). */
        PROXY_ADDRESS
    }

    public DnsConfig {
        if (bindAddress == null) bindAddress = anyAddress();
        if (port < 0 || port > 65535)
            throw new BoxdException(ErrorCode.INVALID, "dns port must be 0-65535, got " + port, "pass --dns-port=5353");
        zone = normalizeZone(zone);
        if (answerMode == null) answerMode = AnswerMode.BOX_ADDRESS;
        if (answerMode == AnswerMode.PROXY_ADDRESS && proxyAddress == null)
            throw new BoxdException(ErrorCode.INVALID, "dns answer mode 'proxy' needs the proxy's IPv4 address",
                    "set the proxy address, or answer with box addresses");
        if (ttlSeconds < 0 || ttlSeconds > 86_400)
            throw new BoxdException(ErrorCode.INVALID, "dns ttl must be 0-86400 seconds, got " + ttlSeconds);
        if (rateLimitPerSecond < 0 || rateLimitBurst < 0)
            throw new BoxdException(ErrorCode.INVALID, "dns rate limit must not be negative", "use 0 to turn it off");
        if (rateLimitPerSecond > 0 && rateLimitBurst < 1) rateLimitBurst = rateLimitPerSecond;
        if (udpThreads < 1) udpThreads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        if (maxTcpConnections < 1) maxTcpConnections = 128;
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        for (InetSocketAddress u : upstreams) {
            if (u.isUnresolved() || u.getPort() == 0)
                throw new BoxdException(ErrorCode.INVALID, "dns upstream '" + u + "' must be an IP address and a port",
                        "give resolvers as addresses, e.g. 192.0.2.53:53");
        }
    }

    /** The same without upstreams: names outside the zone are answered REFUSED. */
    public DnsConfig(InetAddress bindAddress, int port, String zone, AnswerMode answerMode,
                     Inet4Address proxyAddress, Inet4Address nsAddress, int ttlSeconds,
                     int rateLimitPerSecond, int rateLimitBurst, int udpThreads, int maxTcpConnections) {
        this(bindAddress, port, zone, answerMode, proxyAddress, nsAddress, ttlSeconds, rateLimitPerSecond, rateLimitBurst,
                udpThreads, maxTcpConnections, List.of());
    }

    /** {@return 0.0.0.0:5353, zone boxd.local, box addresses, TTL 60, 200 queries/s per source (burst 400)} */
    public static DnsConfig defaults() {
        return new DnsConfig(anyAddress(), DEFAULT_PORT, DEFAULT_ZONE, AnswerMode.BOX_ADDRESS, null, null,
                DEFAULT_TTL, 200, 400, 0, 128);
    }

    public DnsConfig withBind(InetAddress address, int newPort) {
        return copy(c -> { c.bindAddress = address; c.port = newPort; });
    }

    public DnsConfig withZone(String newZone) {
        return copy(c -> c.zone = newZone);
    }

    /** {@return this config answering every box name with {@code proxy}'s address} */
    public DnsConfig withProxyAddress(Inet4Address proxy) {
        return copy(c -> { c.answerMode = AnswerMode.PROXY_ADDRESS; c.proxyAddress = proxy; });
    }

    public DnsConfig withNsAddress(Inet4Address ns) {
        return copy(c -> c.nsAddress = ns);
    }

    /** {@return this config with a per-source UDP limit; {@code perSecond} 0 turns it off} */
    public DnsConfig withRateLimit(int perSecond, int burst) {
        return copy(c -> { c.rateLimitPerSecond = perSecond; c.rateLimitBurst = burst; });
    }

    public DnsConfig withUdpThreads(int threads) {
        return copy(c -> c.udpThreads = threads);
    }

    public DnsConfig withMaxTcpConnections(int max) {
        return copy(c -> c.maxTcpConnections = max);
    }

    /** {@return this config forwarding names outside the zone to {@code resolvers} (empty: answer them REFUSED)} */
    public DnsConfig withUpstreams(List<InetSocketAddress> resolvers) {
        return copy(c -> c.upstreams = resolvers);
    }

    /** {@return a copy of this config with {@code change} made to its components, validated as any new config is} */
    private DnsConfig copy(Consumer<Components> change) {
        Components c = new Components();
        change.accept(c);
        return new DnsConfig(c.bindAddress, c.port, c.zone, c.answerMode, c.proxyAddress, c.nsAddress, c.ttlSeconds,
                c.rateLimitPerSecond, c.rateLimitBurst, c.udpThreads, c.maxTcpConnections, c.upstreams);
    }

    /** This config's components, for {@link #copy} to change. */
    private final class Components {
        InetAddress bindAddress = DnsConfig.this.bindAddress;
        int port = DnsConfig.this.port;
        String zone = DnsConfig.this.zone;
        AnswerMode answerMode = DnsConfig.this.answerMode;
        Inet4Address proxyAddress = DnsConfig.this.proxyAddress;
        Inet4Address nsAddress = DnsConfig.this.nsAddress;
        int ttlSeconds = DnsConfig.this.ttlSeconds;
        int rateLimitPerSecond = DnsConfig.this.rateLimitPerSecond;
        int rateLimitBurst = DnsConfig.this.rateLimitBurst;
        int udpThreads = DnsConfig.this.udpThreads;
        int maxTcpConnections = DnsConfig.this.maxTcpConnections;
        List<InetSocketAddress> upstreams = DnsConfig.this.upstreams;
    }

    /**
     * Reads the resolvers of a resolv.conf(5) text: each {@code nameserver ADDRESS} line, IPv4 or IPv6 (a
     * {@code %scope} suffix is kept when the interface exists), port 53, in file order. Comments ({@code #}, {@code ;}),
     * other keywords and malformed lines (a host name, a bad address, extra words) are skipped; nothing is looked up.
     */
    public static List<InetSocketAddress> upstreamsFromResolvConf(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (text == null) return out;
        for (String raw : text.split("\\R")) {
            String line = raw;
            int comment = indexOfAny(line, '#', ';');
            if (comment >= 0) line = line.substring(0, comment);
            String[] words = line.strip().split("\\s+");
            if (words.length != 2 || !words[0].equals("nameserver")) continue;
            InetAddress address = ipLiteral(words[1]);
            if (address == null) continue;
            InetSocketAddress upstream = new InetSocketAddress(address, 53);
            if (!out.contains(upstream)) out.add(upstream);
        }
        return out;
    }

    /** {@link #upstreamsFromResolvConf(String)} of a file; an absent or unreadable file has none. */
    public static List<InetSocketAddress> upstreamsFromResolvConf(Path file) {
        try {
            return upstreamsFromResolvConf(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** {@return the address {@code s} spells as an IPv4 or IPv6 literal, or null when it is anything else} */
    static InetAddress ipLiteral(String s) {
        try {
            if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                String[] parts = s.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) return null;
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            // An IPv6 literal (with ':' InetAddress parses it and never looks a name up), optionally with a %scope.
            if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?")) return InetAddress.getByName(s);
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** {@return the address published for ns1.ZONE: {@code nsAddress}, else the bind address, else 127.0.0.1} */
    public Inet4Address effectiveNsAddress() {
        if (nsAddress != null) return nsAddress;
        if (bindAddress instanceof Inet4Address v4 && !v4.isAnyLocalAddress()) return v4;
        return (Inet4Address) InetAddress.getLoopbackAddress();
    }

    private static String normalizeZone(String zone) {
        String z = zone == null || zone.isBlank() ? DEFAULT_ZONE : zone.strip().toLowerCase(Locale.ROOT);
        if (z.endsWith(".")) z = z.substring(0, z.length() - 1);
        if (z.isEmpty() || z.length() > 200)
            throw new BoxdException(ErrorCode.INVALID, "dns zone '" + zone + "' must be a domain of 1-200 characters",
                    "pass a domain such as boxd.local or boxes.example.com");
        for (String label : z.split("\\.", -1)) {
            if (!boxd.common.Names.isValidLabel(label))
                throw new BoxdException(ErrorCode.INVALID, "dns zone '" + zone + "' has an invalid label '" + label + "'",
                        "use dot-separated labels of lower-case letters, digits and '-'");
        }
        return z;
    }

    private static InetAddress anyAddress() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }
}
