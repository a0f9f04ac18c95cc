package boxd.vmm.kvm;

import boxd.vmm.sys.NativeBuffer;

/** {@code struct kvm_regs}: the general-purpose registers, RIP and RFLAGS. Mutable value. */
public final class KvmRegs {
    private final long[] r = new long[18];
    private static final int RAX = 0, RBX = 1, RCX = 2, RDX = 3, RSI = 4, RDI = 5, RSP = 6, RBP = 7, RIP = 16, RFLAGS = 17;

    public long rax() { return r[RAX]; }
    public long rbx() { return r[RBX]; }
    public long rcx() { return r[RCX]; }
    public long rdx() { return r[RDX]; }
    public long rsi() { return r[RSI]; }
    public long rdi() { return r[RDI]; }
    public long rsp() { return r[RSP]; }
    public long rbp() { return r[RBP]; }
    public long rip() { return r[RIP]; }
    public long rflags() { return r[RFLAGS]; }
    public long gpr(int i) { return r[i]; }

    public KvmRegs rax(long v) { r[RAX] = v; return this; }
    public KvmRegs rbx(long v) { r[RBX] = v; return this; }
    public KvmRegs rsi(long v) { r[RSI] = v; return this; }
    public KvmRegs rdi(long v) { r[RDI] = v; return this; }
    public KvmRegs rsp(long v) { r[RSP] = v; return this; }
    public KvmRegs rbp(long v) { r[RBP] = v; return this; }
    public KvmRegs rip(long v) { r[RIP] = v; return this; }
    public KvmRegs rflags(long v) { r[RFLAGS] = v; return this; }

    void readFrom(NativeBuffer b) {
        for (int i = 0; i < r.length; i++) r[i] = b.getI64(i * 8L);
    }

    void writeTo(NativeBuffer b) {
        for (int i = 0; i < r.length; i++) b.putI64(i * 8L, r[i]);
    }

    @Override
    public String toString() {
        return String.format("rip=%#x rsp=%#x rflags=%#x rax=%#x rbx=%#x rcx=%#x rdx=%#x rsi=%#x rdi=%#x",
                rip(), rsp(), rflags(), rax(), rbx(), rcx(), rdx(), rsi(), rdi());
    }
}
