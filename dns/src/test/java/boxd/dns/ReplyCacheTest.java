package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ReplyCacheTest {
    private final ZoneAnswerer answerer = new ZoneAnswerer("boxd.local", 60, ZoneAnswererTest.ip("127.0.0.1"), null);
    private final ZoneView view = new ZoneView(Map.of("web", ZoneAnswererTest.ip("10.77.0.2")), 3);

    @Test
    void aRepeatedQueryGetsTheSameReplyWithItsOwnId() throws Exception {
        ReplyCache cache = new ReplyCache(answerer, 100);
        Message q1 = ZoneAnswererTest.query("web.boxd.local.", Type.A);
        Message q2 = ZoneAnswererTest.query("web.boxd.local.", Type.A);
        q2.getHeader().setID(q1.getHeader().getID() ^ 0x5A5A);
        byte[] r1 = cache.answerUdp(q1.toWire(), q1.toWire().length, view);
        byte[] r2 = cache.answerUdp(q2.toWire(), q2.toWire().length, view);
        assertEquals(1, cache.size());
        assertArrayEquals(answerer.answerWire(q2.toWire(), q2.toWire().length, view, true), r2,
                "the cached reply is byte for byte what the answerer gives");
        assertEquals(q1.getHeader().getID(), new Message(r1).getHeader().getID());
        assertEquals(q2.getHeader().getID(), new Message(r2).getHeader().getID());
    }

    @Test
    void aNewViewStartsAfresh() throws Exception {
        ReplyCache cache = new ReplyCache(answerer, 100);
        byte[] q = ZoneAnswererTest.query("db.boxd.local.", Type.A).toWire();
        assertEquals(Rcode.NXDOMAIN, new Message(cache.answerUdp(q, q.length, view)).getRcode());
        ZoneView withDb = new ZoneView(Map.of("db", ZoneAnswererTest.ip("10.77.0.3")), 4);
        Message r = new Message(cache.answerUdp(q, q.length, withDb));
        assertEquals(Rcode.NOERROR, r.getRcode());
        assertEquals("10.77.0.3", ((ARecord) r.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    }

    @Test
    void dropsAreNotCachedAndTheCacheIsBounded() throws Exception {
        ReplyCache cache = new ReplyCache(answerer, 2);
        byte[] bad = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertNull(cache.answerUdp(bad, bad.length, view));
        assertNull(cache.answerUdp(bad, 5, view));
        assertEquals(0, cache.size());
        for (String name : new String[] {"a.web", "b.web", "c.web", "WEB", "wEb"}) {
            byte[] q = ZoneAnswererTest.query(name + ".boxd.local.", Type.A).toWire();
            Message r = new Message(cache.answerUdp(q, q.length, view));
            ARecord a = (ARecord) r.getSection(Section.ANSWER).get(0);
            assertEquals(name + ".boxd.local.", a.getName().toString(), "the reply keeps the query's case");
        }
        assertTrue(cache.size() <= 2, "bounded: " + cache.size());
    }
}
