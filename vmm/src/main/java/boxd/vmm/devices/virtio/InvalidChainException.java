package boxd.vmm.devices.virtio;

/** The guest handed over a descriptor chain that breaks the rules (loop, bad index, buffer outside memory, ...). */
public final class InvalidChainException extends Exception {
    private final int head;

    public InvalidChainException(int head, String why) {
        super("descriptor chain at head " + head + ": " + why);
        this.head = head;
    }

    /** {@return the chain's head index, to hand back in the used ring} */
    public int head() { return head; }
}
