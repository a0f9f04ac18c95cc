package boxd.vmm.kvm;

/** {@code struct kvm_segment}: a segment register as KVM sees it. */
public record KvmSegment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
                         boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
}
