package boxd.vmm.kvm;

import boxd.vmm.sys.KvmAbi;
import boxd.vmm.sys.NativeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code struct kvm_sregs}: segments, descriptor tables, control registers, EFER. Mutable value over its bytes. */
public final class KvmSregs {
    public enum Seg {
        CS(KvmAbi.OFF_SREGS_CS), DS(KvmAbi.OFF_SREGS_DS), ES(KvmAbi.OFF_SREGS_ES), FS(KvmAbi.OFF_SREGS_FS),
        GS(KvmAbi.OFF_SREGS_GS), SS(KvmAbi.OFF_SREGS_SS), TR(KvmAbi.OFF_SREGS_TR), LDT(KvmAbi.OFF_SREGS_LDT);
        final int offset;
        Seg(int offset) { this.offset = offset; }
    }

    private final ByteBuffer b = ByteBuffer.allocate(KvmAbi.SIZEOF_KVM_SREGS).order(ByteOrder.LITTLE_ENDIAN);

    public KvmSegment segment(Seg seg) {
        int o = seg.offset;
        return new KvmSegment(b.getLong(o + KvmAbi.OFF_SEGMENT_BASE), b.getInt(o + KvmAbi.OFF_SEGMENT_LIMIT),
                b.getShort(o + KvmAbi.OFF_SEGMENT_SELECTOR) & 0xFFFF, b.get(o + KvmAbi.OFF_SEGMENT_TYPE),
                b.get(o + KvmAbi.OFF_SEGMENT_PRESENT) != 0, b.get(o + KvmAbi.OFF_SEGMENT_DPL),
                b.get(o + KvmAbi.OFF_SEGMENT_DB) != 0, b.get(o + KvmAbi.OFF_SEGMENT_S) != 0,
                b.get(o + KvmAbi.OFF_SEGMENT_L) != 0, b.get(o + KvmAbi.OFF_SEGMENT_G) != 0,
                b.get(o + KvmAbi.OFF_SEGMENT_AVL) != 0, b.get(o + KvmAbi.OFF_SEGMENT_UNUSABLE) != 0);
    }

    public KvmSregs segment(Seg seg, KvmSegment s) {
        int o = seg.offset;
        b.putLong(o + KvmAbi.OFF_SEGMENT_BASE, s.base());
        b.putInt(o + KvmAbi.OFF_SEGMENT_LIMIT, s.limit());
        b.putShort(o + KvmAbi.OFF_SEGMENT_SELECTOR, (short) s.selector());
        b.put(o + KvmAbi.OFF_SEGMENT_TYPE, (byte) s.type());
        b.put(o + KvmAbi.OFF_SEGMENT_PRESENT, (byte) (s.present() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_DPL, (byte) s.dpl());
        b.put(o + KvmAbi.OFF_SEGMENT_DB, (byte) (s.db() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_S, (byte) (s.s() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_L, (byte) (s.l() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_G, (byte) (s.g() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_AVL, (byte) (s.avl() ? 1 : 0));
        b.put(o + KvmAbi.OFF_SEGMENT_UNUSABLE, (byte) (s.unusable() ? 1 : 0));
        return this;
    }

    public KvmSregs gdt(long base, int limit) { return dtable(KvmAbi.OFF_SREGS_GDT, base, limit); }
    public KvmSregs idt(long base, int limit) { return dtable(KvmAbi.OFF_SREGS_IDT, base, limit); }
    public long gdtBase() { return b.getLong(KvmAbi.OFF_SREGS_GDT); }

    private KvmSregs dtable(int off, long base, int limit) {
        b.putLong(off + KvmAbi.OFF_DTABLE_BASE, base);
        b.putShort(off + KvmAbi.OFF_DTABLE_LIMIT, (short) limit);
        return this;
    }

    public long cr0() { return b.getLong(KvmAbi.OFF_SREGS_CR0); }
    public long cr3() { return b.getLong(KvmAbi.OFF_SREGS_CR3); }
    public long cr4() { return b.getLong(KvmAbi.OFF_SREGS_CR4); }
    public long efer() { return b.getLong(KvmAbi.OFF_SREGS_EFER); }
    public long apicBase() { return b.getLong(KvmAbi.OFF_SREGS_APIC_BASE); }
    public KvmSregs cr0(long v) { b.putLong(KvmAbi.OFF_SREGS_CR0, v); return this; }
    public KvmSregs cr3(long v) { b.putLong(KvmAbi.OFF_SREGS_CR3, v); return this; }
    public KvmSregs cr4(long v) { b.putLong(KvmAbi.OFF_SREGS_CR4, v); return this; }
    public KvmSregs efer(long v) { b.putLong(KvmAbi.OFF_SREGS_EFER, v); return this; }

    void readFrom(NativeBuffer n) { n.getBytes(0, b.array(), 0, KvmAbi.SIZEOF_KVM_SREGS); }

    void writeTo(NativeBuffer n) { n.putBytes(0, b.array(), 0, KvmAbi.SIZEOF_KVM_SREGS); }

    @Override
    public String toString() {
        return String.format("cr0=%#x cr3=%#x cr4=%#x efer=%#x cs=%s", cr0(), cr3(), cr4(), efer(), segment(Seg.CS));
    }
}
