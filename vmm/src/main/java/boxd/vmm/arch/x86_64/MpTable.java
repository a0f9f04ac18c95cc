package boxd.vmm.arch.x86_64;

import boxd.vmm.memory.GuestMemory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An Intel MP table (spec 1.4) at {@link Layout#MPTABLE}: one processor entry per vCPU, an ISA bus, the IOAPIC,
 * ISA IRQs 0-23 routed to IOAPIC pins 0-23, and LINT0 = ExtINT, LINT1 = NMI. Without it Linux runs uniprocessor
 * on the PIC only.
 */
public final class MpTable {
    private MpTable() {}

    public static final int MAX_CPUS = 254;
    private static final int APIC_VERSION = 0x14, IOAPIC_VERSION = 0x11;

    public static void write(GuestMemory mem, int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("the MP table holds 1-" + MAX_CPUS + " CPUs, asked for " + cpus);
        int ioapicId = cpus + 1;
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int count = 0;
        for (int i = 0; i < cpus; i++) {
            ByteBuffer b = le(20);
            b.put((byte) 0).put((byte) i).put((byte) APIC_VERSION).put((byte) (1 | (i == 0 ? 2 : 0)))
                    .putInt(0x600).putInt(0x201).putInt(0).putInt(0);
            entries.writeBytes(b.array());
            count++;
        }
        ByteBuffer bus = le(8);
        bus.put((byte) 1).put((byte) 0).put("ISA   ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        entries.writeBytes(bus.array());
        count++;
        ByteBuffer io = le(8);
        io.put((byte) 2).put((byte) ioapicId).put((byte) IOAPIC_VERSION).put((byte) 1).putInt((int) Layout.IOAPIC);
        entries.writeBytes(io.array());
        count++;
        for (int irq = 0; irq <= Layout.MAX_GSI; irq++) {
            ByteBuffer s = le(8);
            s.put((byte) 3).put((byte) 0).putShort((short) 0).put((byte) 0).put((byte) irq).put((byte) ioapicId).put((byte) irq);
            entries.writeBytes(s.array());
            count++;
        }
        ByteBuffer extint = le(8);
        extint.put((byte) 4).put((byte) 3).putShort((short) 0).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        entries.writeBytes(extint.array());
        ByteBuffer nmi = le(8);
        nmi.put((byte) 4).put((byte) 1).putShort((short) 0).put((byte) 0).put((byte) 0).put((byte) 0xFF).put((byte) 1);
        entries.writeBytes(nmi.array());
        count += 2;

        byte[] body = entries.toByteArray();
        long floating = Layout.MPTABLE;
        long config = floating + 16;
        ByteBuffer hdr = le(44 + body.length);
        hdr.put("PCMP".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putShort((short) (44 + body.length))
                .put((byte) 4).put((byte) 0).put("BOXD    ".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .put("000000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0).putShort((short) 0)
                .putShort((short) count).putInt((int) Layout.LAPIC).putShort((short) 0).put((byte) 0).put((byte) 0);
        hdr.put(body);
        byte[] table = hdr.array();
        table[7] = checksum(table);
        if (config + table.length > Layout.BIOS_END) throw new IllegalArgumentException("MP table too large for " + cpus + " CPUs");
        mem.write(config, table);

        ByteBuffer fp = le(16);
        fp.put("_MP_".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) config).put((byte) 1).put((byte) 4)
                .put((byte) 0).put(new byte[5]);
        byte[] f = fp.array();
        f[10] = checksum(f);
        mem.write(floating, f);
    }

    /** The byte that makes {@code b} sum to zero (its checksum slot must be zero when called). */
    static byte checksum(byte[] b) {
        int sum = 0;
        for (byte x : b) sum += x & 0xFF;
        return (byte) (-sum);
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }
}
