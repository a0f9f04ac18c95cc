package boxd.common;

/** A TCP port of a box forwarded from {@code publicPort} (40000-60000) on the proxy host. */
public record Exposure(String boxId, String boxName, int boxPort, int publicPort) {}
