package boxd.proxy;

import boxd.common.DataDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * How the proxy role is set up.
 *
 * @param dataDir          where the generated CA lives ({@code keys/proxy-ca.crt}, {@code keys/proxy-ca.key})
 * @param bindAddress      address every listener binds ("0.0.0.0", "127.0.0.1", ...)
 * @param httpPort         plain HTTP port (0 picks a free one; see {@link ProxyServer#httpPort()})
 * @param httpsPort        HTTPS port (0 picks a free one)
 * @param zone             DNS zone the boxes live under: {@code NAME.ZONE}, {@code SUB.NAME.ZONE}
 * @param operatorCertDir  optional directory of {@code NAME.crt}/{@code NAME.key} PEM pairs (a wildcard certificate
 *                         included) served for the names they cover; null when none. Names they do not cover get
 *                         certificates from the generated CA.
 * @param exposePorts      range the control plane draws exposure ports from; ports outside it are not opened
 * @param sshPorts         range of per-box SSH ports; ports outside it are not opened
 * @param portForwarders   false to open no TCP listeners at all (expose and per-box SSH ports), e.g. when another
 *                         proxy host serves them
 * @param dialOverride     test-only hook: rewrites the box address (box ipv4 and port) before the proxy dials it, so a
 *                         test can stand a loopback backend in for a box; null (production) dials the box itself
 */
public record ProxyConfig(DataDir dataDir, String bindAddress, int httpPort, int httpsPort, String zone,
                          Path operatorCertDir, PortRange exposePorts, PortRange sshPorts, boolean portForwarders,
                          UnaryOperator<InetSocketAddress> dialOverride) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_HTTPS_PORT = 8443;
    public static final String DEFAULT_ZONE = "boxd.local";
    public static final PortRange DEFAULT_EXPOSE_PORTS = new PortRange(40000, 60000);
    public static final PortRange DEFAULT_SSH_PORTS = new PortRange(10000, 30000);

    /** An inclusive port range. */
    public record PortRange(int first, int last) {
        public PortRange {
            if (first < 1 || last > 65535 || first > last) {
                throw new IllegalArgumentException("port range " + first + "-" + last
                        + " is not valid: use two ports between 1 and 65535, the first not above the last");
            }
        }

        public boolean contains(int port) { return port >= first && port <= last; }
    }

    public ProxyConfig {
        if (dataDir == null) throw new IllegalArgumentException("proxy config needs a data directory");
        if (bindAddress == null || bindAddress.isBlank()) bindAddress = "0.0.0.0";
        if (zone == null || zone.isBlank()) zone = DEFAULT_ZONE;
        zone = normalizeZone(zone);
        if (exposePorts == null) exposePorts = DEFAULT_EXPOSE_PORTS;
        if (sshPorts == null) sshPorts = DEFAULT_SSH_PORTS;
        checkPort("HTTP", httpPort);
        checkPort("HTTPS", httpsPort);
    }

    /** The defaults: all addresses, 8080/8443, zone boxd.local, generated CA, forwarders on. */
    public static ProxyConfig defaults(DataDir dataDir) {
        return new ProxyConfig(dataDir, "0.0.0.0", DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, DEFAULT_ZONE, null,
                DEFAULT_EXPOSE_PORTS, DEFAULT_SSH_PORTS, true, null);
    }

    public ProxyConfig withBind(String address, int http, int https) {
        return new ProxyConfig(dataDir, address, http, https, zone, operatorCertDir, exposePorts, sshPorts,
                portForwarders, dialOverride);
    }

    public ProxyConfig withZone(String newZone) {
        return new ProxyConfig(dataDir, bindAddress, httpPort, httpsPort, newZone, operatorCertDir, exposePorts,
                sshPorts, portForwarders, dialOverride);
    }

    public ProxyConfig withOperatorCertDir(Path dir) {
        return new ProxyConfig(dataDir, bindAddress, httpPort, httpsPort, zone, dir, exposePorts, sshPorts,
                portForwarders, dialOverride);
    }

    public ProxyConfig withPortForwarders(boolean on) {
        return new ProxyConfig(dataDir, bindAddress, httpPort, httpsPort, zone, operatorCertDir, exposePorts,
                sshPorts, on, dialOverride);
    }

    public ProxyConfig withDialOverride(UnaryOperator<InetSocketAddress> override) {
        return new ProxyConfig(dataDir, bindAddress, httpPort, httpsPort, zone, operatorCertDir, exposePorts,
                sshPorts, portForwarders, override);
    }

    static String normalizeZone(String zone) {
        String z = zone.trim().toLowerCase(java.util.Locale.ROOT);
        while (z.endsWith(".")) z = z.substring(0, z.length() - 1);
        while (z.startsWith(".")) z = z.substring(1);
        return z;
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " port " + port + " is not valid: use 0 (any free port) or 1-65535");
        }
    }
}
