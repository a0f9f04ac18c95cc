package boxd.common;

/** A host that runs boxes, with its capacity and lease. */
public record Worker(String id, String address, int cpus, int memoryMb, long leaseExpiresAtMillis) {}
