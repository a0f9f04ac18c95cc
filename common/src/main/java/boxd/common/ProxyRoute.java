package boxd.common;

/**
 * An HTTP route of the proxy: {@code NAME.ZONE} (subdomain "") or {@code SUB.NAME.ZONE} to {@code port} of the box.
 * A box without a route of its own is served on port 8000.
 */
public record ProxyRoute(String boxId, String boxName, String subdomain, int port) {
    public static final int DEFAULT_PORT = 8000;

    /** {@return the host name this route answers, without the zone: "web" or "api.web"} */
    public String hostLabel() {
        return subdomain.isEmpty() ? boxName : subdomain + "." + boxName;
    }
}
