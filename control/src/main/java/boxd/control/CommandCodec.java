package boxd.control;

import boxd.common.ErrorCode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The log's binary format: a version byte, a type tag, then the record's fields in declaration order (strings as
 * varint length + UTF-8, ints as varints, times as 8-byte longs). Tags are never reused; a new field means a new
 * version. Also encodes {@link Outcome}s for the forwarding RPC.
 */
public final class CommandCodec {
    static final byte VERSION = 1;

    private CommandCodec() {}

    public static byte[] encode(Command c) {
        Out o = new Out();
        o.b(VERSION);
        switch (c) {
            case Command.RegisterUser x -> { o.b(1); o.s(x.name()); o.s(x.fingerprint()); o.s(x.publicKey()); o.s(x.inviteCode()); o.l(x.atMillis()); }
            case Command.AddKey x -> { o.b(2); o.s(x.user()); o.s(x.fingerprint()); o.s(x.publicKey()); o.l(x.atMillis()); }
            case Command.RemoveKey x -> { o.b(3); o.s(x.user()); o.s(x.fingerprint()); }
            case Command.CreateInvite x -> { o.b(4); o.s(x.admin()); o.s(x.code()); o.l(x.atMillis()); }
            case Command.CreateBox x -> { o.b(5); o.s(x.id()); o.s(x.owner()); o.s(x.name()); o.i(x.cpus()); o.i(x.memoryMb());
                o.i(x.diskGb()); o.s(x.image()); o.s(x.ipv4()); o.i(x.sshPort()); o.l(x.atMillis()); }
            case Command.DestroyBox x -> { o.b(6); o.s(x.owner()); o.s(x.name()); o.l(x.atMillis()); }
            case Command.RebootBox x -> { o.b(7); o.s(x.owner()); o.s(x.name()); o.l(x.atMillis()); }
            case Command.AssignBox x -> { o.b(8); o.s(x.boxId()); o.s(x.workerId()); o.l(x.atMillis()); }
            case Command.ReportBox x -> { o.b(9); o.s(x.boxId()); o.s(x.observed()); o.s(x.error()); o.l(x.atMillis()); }
            case Command.ReportDestroyed x -> { o.b(10); o.s(x.boxId()); o.l(x.atMillis()); }
            case Command.RegisterWorker x -> { o.b(11); o.s(x.id()); o.s(x.address()); o.i(x.cpus()); o.i(x.memoryMb());
                o.l(x.leaseUntilMillis()); o.l(x.atMillis()); }
            case Command.Heartbeat x -> { o.b(12); o.s(x.workerId()); o.l(x.leaseUntilMillis()); o.l(x.atMillis()); }
            case Command.ExpireWorker x -> { o.b(13); o.s(x.workerId()); o.l(x.atMillis()); }
            case Command.SetProxy x -> { o.b(14); o.s(x.owner()); o.s(x.boxName()); o.s(x.subdomain()); o.i(x.port()); o.l(x.atMillis()); }
            case Command.DeleteProxy x -> { o.b(15); o.s(x.owner()); o.s(x.boxName()); o.s(x.subdomain()); o.l(x.atMillis()); }
            case Command.Expose x -> { o.b(16); o.s(x.owner()); o.s(x.boxName()); o.i(x.boxPort()); o.i(x.publicPort()); o.l(x.atMillis()); }
            case Command.Unexpose x -> { o.b(17); o.s(x.owner()); o.s(x.boxName()); o.i(x.boxPort()); o.l(x.atMillis()); }
            case Command.AddPlatformKey x -> { o.b(18); o.s(x.fingerprint()); o.s(x.publicKey()); o.l(x.atMillis()); }
        }
        return o.bytes();
    }

    /** @throws IllegalArgumentException for an unknown version or tag, or truncated data */
    public static Command decode(byte[] data) {
        In in = new In(data);
        try {
            int version = in.b();
            if (version != VERSION)
                throw new IllegalArgumentException("unknown command version " + version + " (this node knows " + VERSION + ")");
            int tag = in.b();
            Command c = switch (tag) {
                case 1 -> new Command.RegisterUser(in.s(), in.s(), in.s(), in.s(), in.l());
                case 2 -> new Command.AddKey(in.s(), in.s(), in.s(), in.l());
                case 3 -> new Command.RemoveKey(in.s(), in.s());
                case 4 -> new Command.CreateInvite(in.s(), in.s(), in.l());
                case 5 -> new Command.CreateBox(in.s(), in.s(), in.s(), in.i(), in.i(), in.i(), in.s(), in.s(), in.i(), in.l());
                case 6 -> new Command.DestroyBox(in.s(), in.s(), in.l());
                case 7 -> new Command.RebootBox(in.s(), in.s(), in.l());
                case 8 -> new Command.AssignBox(in.s(), in.s(), in.l());
                case 9 -> new Command.ReportBox(in.s(), in.s(), in.s(), in.l());
                case 10 -> new Command.ReportDestroyed(in.s(), in.l());
                case 11 -> new Command.RegisterWorker(in.s(), in.s(), in.i(), in.i(), in.l(), in.l());
                case 12 -> new Command.Heartbeat(in.s(), in.l(), in.l());
                case 13 -> new Command.ExpireWorker(in.s(), in.l());
                case 14 -> new Command.SetProxy(in.s(), in.s(), in.s(), in.i(), in.l());
                case 15 -> new Command.DeleteProxy(in.s(), in.s(), in.s(), in.l());
                case 16 -> new Command.Expose(in.s(), in.s(), in.i(), in.i(), in.l());
                case 17 -> new Command.Unexpose(in.s(), in.s(), in.i(), in.l());
                case 18 -> new Command.AddPlatformKey(in.s(), in.s(), in.l());
                default -> throw new IllegalArgumentException("unknown command tag " + tag);
            };
            if (in.in.available() != 0) throw new IllegalArgumentException("trailing bytes after command tag " + tag);
            return c;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated command: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeOutcome(Outcome outcome) {
        Out o = new Out();
        o.b(VERSION);
        switch (outcome) {
            case Outcome.Applied a -> { o.b(1); o.s(a.result()); }
            case Outcome.Rejected r -> { o.b(2); o.s(r.code().name()); o.s(r.message()); o.s(r.hint()); }
        }
        return o.bytes();
    }

    public static Outcome decodeOutcome(byte[] data) {
        In in = new In(data);
        try {
            int version = in.b();
            if (version != VERSION) throw new IllegalArgumentException("unknown outcome version " + version);
            int tag = in.b();
            return switch (tag) {
                case 1 -> new Outcome.Applied(in.s());
                case 2 -> new Outcome.Rejected(ErrorCode.valueOf(in.s()), in.s(), in.s());
                default -> throw new IllegalArgumentException("unknown outcome tag " + tag);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated outcome: " + e.getMessage(), e);
        }
    }

    static final class Out {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream(96);
        final DataOutputStream out = new DataOutputStream(buf);

        void b(int v) { w(() -> out.writeByte(v)); }

        void i(int v) { // zig-zag varint
            int z = (v << 1) ^ (v >> 31);
            w(() -> {
                int x = z;
                while ((x & ~0x7F) != 0) { out.writeByte((x & 0x7F) | 0x80); x >>>= 7; }
                out.writeByte(x);
            });
        }

        void l(long v) { w(() -> out.writeLong(v)); }

        void s(String v) {
            byte[] b = (v == null ? "" : v).getBytes(StandardCharsets.UTF_8);
            i(b.length);
            w(() -> out.write(b));
        }

        byte[] bytes() { return buf.toByteArray(); }

        private interface IoRun { void run() throws IOException; }

        private static void w(IoRun r) {
            try { r.run(); } catch (IOException e) { throw new UncheckedIOException(e); }
        }
    }

    static final class In {
        final DataInputStream in;

        In(byte[] data) { in = new DataInputStream(new ByteArrayInputStream(data)); }

        int b() throws IOException { return in.readUnsignedByte(); }

        int i() throws IOException {
            int result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = in.readUnsignedByte();
                result |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (result >>> 1) ^ -(result & 1);
            }
            throw new IOException("varint too long");
        }

        long l() throws IOException { return in.readLong(); }

        String s() throws IOException {
            int n = i();
            if (n < 0 || n > in.available()) throw new IOException("bad string length " + n);
            byte[] b = in.readNBytes(n);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
