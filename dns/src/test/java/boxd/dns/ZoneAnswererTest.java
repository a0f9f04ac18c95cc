package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.ObservedState;

class ZoneAnswererTest {
    private static final Inet4Address NS = ip("192.0.2.53");
    private static final Inet4Address WEB = ip("10.77.0.2");
    private static final Inet4Address DB = ip("10.77.0.3");
    private static final ZoneView VIEW = new ZoneView(Map.of("web", WEB, "db", DB), 42);
    private final ZoneAnswerer answerer = new ZoneAnswerer("boxd.local", 60, NS, null);

    // ---- A records for boxes ----

    @Test
    void answersABoxWithItsAddressAuthoritatively() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        Message r = answerer.answer(q, VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
        assertTrue(r.getHeader().getFlag(Flags.QR));
        assertTrue(r.getHeader().getFlag(Flags.AA));
        assertTrue(r.getHeader().getFlag(Flags.RD), "RD is copied from the query");
        assertFalse(r.getHeader().getFlag(Flags.RA), "no recursion offered");
        List<Record> answers = r.getSection(Section.ANSWER);
        assertEquals(1, answers.size());
        ARecord a = (ARecord) answers.get(0);
        assertEquals(Name.fromString("web.boxd.local."), a.getName());
        assertEquals(WEB, a.getAddress());
        assertEquals(60, a.getTTL());
        assertEquals(q.getQuestion(), r.getQuestion());
        assertTrue(r.getSection(Section.AUTHORITY).isEmpty());
    }

    @Test
    void anyNameBelowABoxAnswersWithTheBoxAddress() throws Exception {
        for (String name : List.of("api.web.boxd.local.", "a.b.c.web.boxd.local.", "*.web.boxd.local.")) {
            Message r = answerer.answer(query(name, Type.A), VIEW);
            assertEquals(Rcode.NOERROR, r.getRcode(), name);
            assertTrue(r.getHeader().getFlag(Flags.AA), name);
            ARecord a = (ARecord) r.getSection(Section.ANSWER).get(0);
            assertEquals(Name.fromString(name), a.getName(), "the owner is the name asked for");
            assertEquals(WEB, a.getAddress(), name);
        }
        ARecord db = (ARecord) answerer.answer(query("x.db.boxd.local.", Type.A), VIEW).getSection(Section.ANSWER).get(0);
        assertEquals(DB, db.getAddress());
    }

    @Test
    void namesCompareCaseInsensitivelyAndKeepTheQueryCase() throws Exception {
        Message r = answerer.answer(query("Api.WeB.BoxD.LoCaL.", Type.A), VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        ARecord a = (ARecord) r.getSection(Section.ANSWER).get(0);
        assertEquals(WEB, a.getAddress());
        assertEquals("Api.WeB.BoxD.LoCaL.", a.getName().toString(), "0x20 case randomisation survives");
        assertEquals("Api.WeB.BoxD.LoCaL.", r.getQuestion().getName().toString());
    }

    @Test
    void anyQueryForABoxReturnsItsARecord() throws Exception {
        Message r = answerer.answer(query("web.boxd.local.", Type.ANY), VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals(List.of(Type.A), r.getSection(Section.ANSWER).stream().map(Record::getType).toList());
    }

    @Test
    void proxyModeAnswersEveryBoxWithTheProxyAddress() throws Exception {
        Inet4Address proxy = ip("203.0.113.7");
        ZoneAnswerer viaProxy = new ZoneAnswerer("boxd.local", 60, NS, proxy);
        for (String name : List.of("web.boxd.local.", "sub.db.boxd.local.")) {
            ARecord a = (ARecord) viaProxy.answer(query(name, Type.A), VIEW).getSection(Section.ANSWER).get(0);
            assertEquals(proxy, a.getAddress(), name);
        }
        assertEquals(Rcode.NXDOMAIN, viaProxy.answer(query("nobody.boxd.local.", Type.A), VIEW).getRcode());
        ARecord ns = (ARecord) viaProxy.answer(query("ns1.boxd.local.", Type.A), VIEW).getSection(Section.ANSWER).get(0);
        assertEquals(NS, ns.getAddress(), "the name server keeps its own address");
    }

    @Test
    void ttlComesFromTheConfiguration() throws Exception {
        ZoneAnswerer shortTtl = ZoneAnswerer.from(DnsConfig.defaults().withZone("boxd.local")
                .withNsAddress(NS));
        assertEquals(60, shortTtl.answer(query("web.boxd.local.", Type.A), VIEW).getSection(Section.ANSWER).get(0).getTTL());
        ZoneAnswerer five = new ZoneAnswerer("boxd.local", 5, NS, null);
        Message r = five.answer(query("nobody.boxd.local.", Type.A), VIEW);
        SOARecord soa = (SOARecord) r.getSection(Section.AUTHORITY).get(0);
        assertEquals(5, soa.getTTL());
        assertEquals(5, soa.getMinimum(), "negative answers are cached as long as positive ones");
    }

    // ---- NODATA, NXDOMAIN, REFUSED ----

    @Test
    void otherTypesOnABoxAreNodataWithTheSoa() throws Exception {
        for (int type : new int[] {Type.AAAA, Type.TXT, Type.MX, Type.CNAME, Type.NS, Type.SOA, Type.HTTPS, 65000}) {
            Message r = answerer.answer(query("web.boxd.local.", type), VIEW);
            assertEquals(Rcode.NOERROR, r.getRcode(), Type.string(type));
            assertTrue(r.getHeader().getFlag(Flags.AA));
            assertTrue(r.getSection(Section.ANSWER).isEmpty(), Type.string(type));
            assertSoaAuthority(r, 42);
        }
        Message below = answerer.answer(query("x.web.boxd.local.", Type.AAAA), VIEW);
        assertEquals(Rcode.NOERROR, below.getRcode());
        assertTrue(below.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void unknownNamesAreNxdomainWithTheSoa() throws Exception {
        for (String name : List.of("nobody.boxd.local.", "x.nobody.boxd.local.", "web2.boxd.local.", "we.boxd.local.")) {
            for (int type : new int[] {Type.A, Type.AAAA, Type.ANY}) {
                Message r = answerer.answer(query(name, type), VIEW);
                assertEquals(Rcode.NXDOMAIN, r.getRcode(), name);
                assertTrue(r.getHeader().getFlag(Flags.AA), name);
                assertTrue(r.getSection(Section.ANSWER).isEmpty(), name);
                assertSoaAuthority(r, 42);
            }
        }
    }

    @Test
    void namesOutsideTheZoneAreRefusedWithoutRecursion() throws Exception {
        for (String name : List.of("example.com.", "local.", ".", "boxd.local.evil.com.", "xboxd.local.", "web.boxd.lan.")) {
            Message r = answerer.answer(query(name, Type.A), VIEW);
            assertEquals(Rcode.REFUSED, r.getRcode(), name);
            assertFalse(r.getHeader().getFlag(Flags.AA), name);
            assertFalse(r.getHeader().getFlag(Flags.RA), name);
            assertTrue(r.getSection(Section.ANSWER).isEmpty(), name);
            assertTrue(r.getSection(Section.AUTHORITY).isEmpty(), name);
        }
    }

    @Test
    void otherClassesAreRefused() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
        assertEquals(Rcode.REFUSED, answerer.answer(q, VIEW).getRcode());
        Message chaosInZone = Message.newQuery(Record.newRecord(Name.fromString("web.boxd.local."), Type.A, DClass.CH));
        assertEquals(Rcode.REFUSED, answerer.answer(chaosInZone, VIEW).getRcode());
    }

    @Test
    void zoneTransfersAreRefusedAndMetaTypesNotImplemented() throws Exception {
        assertEquals(Rcode.REFUSED, answerer.answer(query("boxd.local.", Type.AXFR), VIEW).getRcode());
        assertEquals(Rcode.REFUSED, answerer.answer(query("boxd.local.", Type.IXFR), VIEW).getRcode());
        assertEquals(Rcode.NOTIMP, answerer.answer(query("web.boxd.local.", Type.MAILB), VIEW).getRcode());
    }

    @Test
    void opcodesOtherThanQueryAreNotImplemented() throws Exception {
        for (int opcode : new int[] {Opcode.NOTIFY, Opcode.UPDATE, Opcode.STATUS, Opcode.IQUERY}) {
            Message q = query("web.boxd.local.", Type.A);
            q.getHeader().setOpcode(opcode);
            Message r = answerer.answer(q, VIEW);
            assertEquals(Rcode.NOTIMP, r.getRcode(), Opcode.string(opcode));
            assertEquals(opcode, r.getHeader().getOpcode());
            assertTrue(r.getSection(Section.ANSWER).isEmpty());
        }
    }

    // ---- apex and name server ----

    @Test
    void apexSoa() throws Exception {
        Message r = answerer.answer(query("boxd.local.", Type.SOA), VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(r.getHeader().getFlag(Flags.AA));
        SOARecord soa = (SOARecord) r.getSection(Section.ANSWER).get(0);
        assertEquals(Name.fromString("boxd.local."), soa.getName());
        assertEquals(Name.fromString("ns1.boxd.local."), soa.getHost());
        assertEquals(Name.fromString("hostmaster.boxd.local."), soa.getAdmin());
        assertEquals(42, soa.getSerial());
        assertEquals(60, soa.getMinimum());
        assertEquals(60, soa.getTTL());
        assertTrue(soa.getRefresh() > 0 && soa.getRetry() > 0 && soa.getExpire() > soa.getRefresh());
    }

    @Test
    void apexNsWithGlue() throws Exception {
        Message r = answerer.answer(query("BOXD.local.", Type.NS), VIEW);
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertTrue(r.getHeader().getFlag(Flags.AA));
        NSRecord ns = (NSRecord) r.getSection(Section.ANSWER).get(0);
        assertEquals(Name.fromString("ns1.boxd.local."), ns.getTarget());
        ARecord glue = (ARecord) r.getSection(Section.ADDITIONAL).get(0);
        assertEquals(Name.fromString("ns1.boxd.local."), glue.getName());
        assertEquals(NS, glue.getAddress());
    }

    @Test
    void apexAnyHasSoaAndNs() throws Exception {
        Message r = answerer.answer(query("boxd.local.", Type.ANY), VIEW);
        assertEquals(List.of(Type.SOA, Type.NS), r.getSection(Section.ANSWER).stream().map(Record::getType).toList());
    }

    @Test
    void apexOtherTypesAreNodata() throws Exception {
        for (int type : new int[] {Type.A, Type.AAAA, Type.TXT, Type.MX}) {
            Message r = answerer.answer(query("boxd.local.", type), VIEW);
            assertEquals(Rcode.NOERROR, r.getRcode());
            assertTrue(r.getSection(Section.ANSWER).isEmpty());
            assertSoaAuthority(r, 42);
        }
    }

    @Test
    void nameServerHasItsAddressAndNothingBelowIt() throws Exception {
        Message a = answerer.answer(query("ns1.boxd.local.", Type.A), VIEW);
        assertEquals(NS, ((ARecord) a.getSection(Section.ANSWER).get(0)).getAddress());
        assertTrue(a.getHeader().getFlag(Flags.AA));
        Message aaaa = answerer.answer(query("ns1.boxd.local.", Type.AAAA), VIEW);
        assertEquals(Rcode.NOERROR, aaaa.getRcode());
        assertTrue(aaaa.getSection(Section.ANSWER).isEmpty());
        assertEquals(Rcode.NXDOMAIN, answerer.answer(query("x.ns1.boxd.local.", Type.A), VIEW).getRcode());
        ZoneView withNs1Box = new ZoneView(Map.of("ns1", WEB), 1);
        assertEquals(NS, ((ARecord) answerer.answer(query("ns1.boxd.local.", Type.A), withNs1Box)
                .getSection(Section.ANSWER).get(0)).getAddress(), "the name server's own name wins");
    }

    @Test
    void aDeeperZoneWorks() throws Exception {
        ZoneAnswerer deep = new ZoneAnswerer("boxes.example.co.uk", 60, NS, null);
        assertEquals(WEB, ((ARecord) deep.answer(query("a.web.boxes.example.co.uk.", Type.A), VIEW)
                .getSection(Section.ANSWER).get(0)).getAddress());
        assertEquals(Rcode.REFUSED, deep.answer(query("web.example.co.uk.", Type.A), VIEW).getRcode());
        assertEquals(Rcode.NOERROR, deep.answer(query("boxes.example.co.uk.", Type.SOA), VIEW).getRcode());
    }

    // ---- EDNS ----

    @Test
    void ednsOptIsEchoedWithOurSizeAndTheDoBit() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        q.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        Message r = answerer.answer(q, VIEW);
        OPTRecord opt = r.getOPT();
        assertNotNull(opt, "a query with EDNS gets EDNS back");
        assertEquals(ZoneAnswerer.MAX_UDP_REPLY, opt.getPayloadSize());
        assertEquals(0, opt.getVersion());
        assertEquals(ExtendedFlags.DO, opt.getFlags() & ExtendedFlags.DO);
        assertNull(answerer.answer(query("web.boxd.local.", Type.A), VIEW).getOPT(), "no EDNS without EDNS");
    }

    @Test
    void unknownEdnsVersionIsBadvers() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        byte[] wire = answerer.answerWire(q.toWire(), q.toWire().length, VIEW, true);
        Message r = new Message(wire);
        assertEquals(Rcode.BADVERS, r.getRcode());
        assertEquals(0, r.getOPT().getVersion());
        assertTrue(r.getSection(Section.ANSWER).isEmpty());
    }

    // ---- size limits and truncation ----

    @Test
    void udpLimitFollowsEdns() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        assertEquals(512, ZoneAnswerer.udpLimit(q));
        Message small = query("web.boxd.local.", Type.A);
        small.addRecord(new OPTRecord(100, 0, 0), Section.ADDITIONAL);
        assertEquals(512, ZoneAnswerer.udpLimit(small), "below 512 counts as 512 (RFC 6891)");
        Message mid = query("web.boxd.local.", Type.A);
        mid.addRecord(new OPTRecord(800, 0, 0), Section.ADDITIONAL);
        assertEquals(800, ZoneAnswerer.udpLimit(mid));
        Message big = query("web.boxd.local.", Type.A);
        big.addRecord(new OPTRecord(65535, 0, 0), Section.ADDITIONAL);
        assertEquals(ZoneAnswerer.MAX_UDP_REPLY, ZoneAnswerer.udpLimit(big));
    }

    @Test
    void anOversizedReplyIsTruncatedWithTcAndKeepsTheOpt() throws Exception {
        Message reply = answerer.answer(query("web.boxd.local.", Type.A), VIEW);
        Name owner = Name.fromString("web.boxd.local.");
        for (int i = 0; i < 40; i++) {
            reply.addRecord(new TXTRecord(owner, DClass.IN, 60, "x".repeat(30) + i), Section.ANSWER);
        }
        reply.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        byte[] full = ZoneAnswerer.encode(reply, ZoneAnswerer.MAX_TCP_REPLY);
        assertTrue(full.length > 512);
        assertFalse(new Message(full).getHeader().getFlag(Flags.TC));

        byte[] cut = ZoneAnswerer.encode(reply, 512);
        assertTrue(cut.length <= 512, "within 512 bytes: " + cut.length);
        Message parsed = new Message(cut);
        assertTrue(parsed.getHeader().getFlag(Flags.TC));
        assertNotNull(parsed.getOPT(), "the OPT record survives truncation");
        assertEquals(reply.getHeader().getID(), parsed.getHeader().getID());
    }

    @Test
    void everyRealReplyFitsIn512Bytes() throws Exception {
        // The longest names: 4 labels of 63 below the zone (255 bytes in all), for each kind of answer.
        String longName = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(49) + ".web.boxd.local.";
        for (String name : List.of(longName, longName.replace(".web.", ".nob.")))
            for (int type : new int[] {Type.A, Type.AAAA, Type.ANY}) {
                Message q = query(name, type);
                byte[] wire = answerer.answerWire(q.toWire(), q.toWire().length, VIEW, true);
                assertTrue(wire.length <= 512, name + " " + wire.length);
                assertFalse(new Message(wire).getHeader().getFlag(Flags.TC));
            }
    }

    // ---- wire handling and malformed input ----

    @Test
    void answerWireRoundTrips() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        byte[] in = q.toWire();
        byte[] padded = new byte[in.length + 20];
        System.arraycopy(in, 0, padded, 0, in.length);
        Message r = new Message(answerer.answerWire(padded, in.length, VIEW, true));
        assertEquals(WEB, ((ARecord) r.getSection(Section.ANSWER).get(0)).getAddress());
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
    }

    @Test
    void responsesAndBadQuestionCountsAreDropped() throws Exception {
        Message q = query("web.boxd.local.", Type.A);
        q.getHeader().setFlag(Flags.QR);
        assertNull(answerer.answer(q, VIEW), "never answer a response (no reply loops)");
        assertNull(answerer.answerWire(q.toWire(), q.toWire().length, VIEW, true));

        Message none = new Message();
        assertNull(answerer.answer(none, VIEW));
        assertNull(answerer.answerWire(none.toWire(), none.toWire().length, VIEW, true));

        Message two = query("web.boxd.local.", Type.A);
        two.addRecord(Record.newRecord(Name.fromString("db.boxd.local."), Type.A, DClass.IN), Section.QUESTION);
        assertNull(answerer.answerWire(two.toWire(), two.toWire().length, VIEW, true));
    }

    @Test
    void malformedPacketsAreDropped() throws Exception {
        byte[] good = query("web.boxd.local.", Type.A).toWire();
        // short: every prefix shorter than the whole query
        for (int n = 0; n < good.length; n++) {
            assertNull(answerer.answerWire(good.clone(), n, VIEW, true), "prefix of " + n);
        }
        // counts beyond the data
        byte[] counts = good.clone();
        counts[7] = 5; // ancount 5 with no answers present
        assertNull(answerer.answerWire(counts, counts.length, VIEW, true));
        byte[] ar = good.clone();
        ar[10] = (byte) 0xFF; ar[11] = (byte) 0xFF;
        assertNull(answerer.answerWire(ar, ar.length, VIEW, true));
        // compression pointer to itself (a loop) in the question name
        byte[] loop = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertNull(answerer.answerWire(loop, loop.length, VIEW, true));
        // two pointers pointing at each other
        byte[] pingPong = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'e', 'b', (byte) 0xC0, 18, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertNull(answerer.answerWire(pingPong, pingPong.length, VIEW, true));
        // pointer beyond the packet
        byte[] far = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 0, 1, 0, 1};
        assertNull(answerer.answerWire(far, far.length, VIEW, true));
        // label running past the end, and a reserved label type (0x40)
        byte[] label = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 60, 'a', 'b'};
        assertNull(answerer.answerWire(label, label.length, VIEW, true));
        byte[] reserved = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'a', 0, 0, 1, 0, 1};
        assertNull(answerer.answerWire(reserved, reserved.length, VIEW, true));
        // over-long query and a length beyond the buffer
        assertNull(answerer.answerWire(new byte[5000], 5000, VIEW, true));
        assertNull(answerer.answerWire(good, good.length + 1, VIEW, true));
        // TC set on a query
        byte[] tc = good.clone();
        tc[2] |= 0x02;
        assertNull(answerer.answerWire(tc, tc.length, VIEW, true));
    }

    @Test
    void randomAndMutatedPacketsNeverThrow() throws Exception {
        Random random = new Random(7);
        byte[] good = query("api.web.boxd.local.", Type.A).toWire();
        int answered = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p;
            if (i % 2 == 0) {
                p = new byte[random.nextInt(600)];
                random.nextBytes(p);
            } else {
                p = good.clone();
                for (int m = 0; m < 1 + random.nextInt(4); m++) p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            }
            byte[] reply = answerer.answerWire(p, p.length, VIEW, true);
            if (reply != null) {
                answered++;
                assertTrue(reply.length <= 512);
                assertEquals(p[0], reply[0]);
                assertEquals(p[1], reply[1]);
            }
        }
        assertTrue(answered > 0, "some mutations are still valid queries");
        // and the answerer still answers correctly afterwards
        byte[] ok = answerer.answerWire(good, good.length, VIEW, true);
        assertArrayEquals(WEB.getAddress(), ((ARecord) new Message(ok).getSection(Section.ANSWER).get(0)).getAddress().getAddress());
    }

    // ---- the view ----

    @Test
    void viewCountsBoxesWithAnAddressUnlessBeingDestroyed() {
        List<Box> boxes = List.of(
                box("run", "10.77.0.2", DesiredState.RUNNING, ObservedState.RUNNING),
                box("pend", "10.77.0.3", DesiredState.RUNNING, ObservedState.PENDING),
                box("err", "10.77.0.4", DesiredState.RUNNING, ObservedState.ERROR),
                box("reboot", "10.77.0.5", DesiredState.REBOOTING, ObservedState.RUNNING),
                box("gone", "10.77.0.6", DesiredState.DESTROYED, ObservedState.RUNNING),
                box("noip", "", DesiredState.RUNNING, ObservedState.PENDING),
                box("nullip", null, DesiredState.RUNNING, ObservedState.PENDING),
                box("badip", "example.com", DesiredState.RUNNING, ObservedState.RUNNING),
                box("v6", "fd00::1", DesiredState.RUNNING, ObservedState.RUNNING));
        ZoneView view = ZoneView.of(boxes, (1L << 32) + 5);
        assertEquals(java.util.Set.of("run", "pend", "err", "reboot"), view.addresses().keySet());
        assertEquals(ip("10.77.0.3"), view.address("pend"));
        assertEquals(5, view.serial(), "the serial is the applied index modulo 2^32");
    }

    // ---- helpers ----

    private static void assertSoaAuthority(Message r, long serial) {
        List<Record> auth = r.getSection(Section.AUTHORITY);
        assertEquals(1, auth.size());
        SOARecord soa = (SOARecord) auth.get(0);
        assertEquals("boxd.local.", soa.getName().toString());
        assertEquals(serial, soa.getSerial());
        assertEquals(60, soa.getTTL());
    }

    static Message query(String name, int type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    }

    private static Box box(String name, String ip, DesiredState desired, ObservedState observed) {
        return new Box("b-" + name, name, "alice", BoxSpec.DEFAULT, desired, observed, null, ip, 10_000, 0, 0, "");
    }

    static Inet4Address ip(String s) {
        try {
            return (Inet4Address) InetAddress.getByAddress(org.xbill.DNS.Address.toByteArray(s, org.xbill.DNS.Address.IPv4));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
