package boxd.vmm.memory;

/** A guest-supplied address range does not lie inside guest RAM. Devices turn this into an error status. */
public final class GuestMemoryException extends RuntimeException {
    public GuestMemoryException(long gpa, long len) {
        super(String.format("guest address range [%#x, +%d) is outside guest memory", gpa, len));
    }
}
