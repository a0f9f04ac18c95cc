package boxd.dns;

import java.net.Inet4Address;
import java.util.Arrays;
import java.util.Locale;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The authoritative logic of the zone, apart from any socket: a query and a {@link ZoneView} in, a reply out.
 *
 * <pre>
 * ZONE (apex)         SOA, NS ns1.ZONE; other types NODATA
 * ns1.ZONE            A = the configured name-server address; other types NODATA
 * BOX.ZONE, *.BOX.ZONE  A = the box's address (or the proxy's); other types NODATA
 * other names in ZONE NXDOMAIN with the SOA in authority
 * outside ZONE        REFUSED (no recursion: RA is never set); a {@link DnsServer} with upstreams forwards these
 *                     instead (see {@link #isForwardable})
 * </pre>
 * Every in-zone reply is authoritative (AA). Names compare case-insensitively and the reply keeps the query's case.
 * {@code ns1} is the name server's own name and wins over a box of that name.
 */
public final class ZoneAnswerer {
    /** Largest UDP reply we send whatever the client advertises (the DNS flag day 2020 size, safe from fragmentation). */
    public static final int MAX_UDP_REPLY = 1232;
    /** Plain DNS over UDP without EDNS (RFC 1035). */
    public static final int CLASSIC_UDP_REPLY = 512;
    /** Largest query we read: real queries are a few hundred bytes; anything bigger is not worth parsing. */
    public static final int MAX_QUERY = 4096;
    public static final int MAX_TCP_REPLY = 65_535;

    private static final long SOA_REFRESH = 3600;
    private static final long SOA_RETRY = 600;
    private static final long SOA_EXPIRE = 1_209_600;

    private final Name zone;
    private final Name ns1;
    private final Name hostmaster;
    private final int zoneLabels;
    private final long ttl;
    private final Inet4Address nsAddress;
    private final Inet4Address proxyAddress;

    /**
     * @param zone         the zone, e.g. "boxd.local"
     * @param ttl          TTL of every record and the SOA minimum (negative caching)
     * @param nsAddress    the address of ns1.ZONE
     * @param proxyAddress when not null, box names answer with it instead of the box's own address
     */
    public ZoneAnswerer(String zone, long ttl, Inet4Address nsAddress, Inet4Address proxyAddress) {
        try {
            this.zone = Name.fromString(zone.toLowerCase(Locale.ROOT), Name.root);
            this.ns1 = Name.fromString("ns1", this.zone);
            this.hostmaster = Name.fromString("hostmaster", this.zone);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("invalid zone '" + zone + "': " + e.getMessage(), e);
        }
        this.zoneLabels = this.zone.labels();
        this.ttl = ttl;
        this.nsAddress = nsAddress;
        this.proxyAddress = proxyAddress;
    }

    public static ZoneAnswerer from(DnsConfig config) {
        return new ZoneAnswerer(config.zone(), config.ttlSeconds(), config.effectiveNsAddress(),
                config.answerMode() == DnsConfig.AnswerMode.PROXY_ADDRESS ? config.proxyAddress() : null);
    }

    public Name zone() {
        return zone;
    }

    /**
     * Answers one query in wire format, as a listener needs it: parse, answer, encode within the transport's limit.
     *
     * @param packet the received bytes ({@code length} of them from offset 0)
     * @param udp    true for UDP (reply bounded by 512 bytes, or the EDNS size up to {@link #MAX_UDP_REPLY}, with TC
     *               when cut), false for TCP (up to 65535)
     * @return the reply, or null when the packet must be dropped without a reply (malformed, not a query)
     */
    public byte[] answerWire(byte[] packet, int length, ZoneView view, boolean udp) {
        // Cheap checks before parsing: header present, QR clear (never answer a response: no reply loops),
        // exactly one question (a bad count is malformed), not marked truncated (dnsjava would accept a partial parse).
        if (length < Header.LENGTH || length > MAX_QUERY || length > packet.length) return null;
        if ((packet[2] & 0x80) != 0 || (packet[2] & 0x02) != 0) return null;
        if (packet[4] != 0 || packet[5] != 1) return null;
        Message query;
        try {
            query = new Message(Arrays.copyOf(packet, length));
        } catch (Exception | StackOverflowError e) {
            return null; // short, garbage, counts beyond the data, compression loops, bad rdata
        }
        Message reply = answer(query, view);
        if (reply == null) return null;
        return encode(reply, udp ? udpLimit(query) : MAX_TCP_REPLY);
    }

    /**
     * Tells whether a query that {@link #answerWire} answered REFUSED is one for a name outside the zone (the ones a
     * forwarding server passes on), as opposed to a refused zone transfer or another class inside the zone.
     *
     * @param reply the reply {@link #answerWire} gave for {@code packet}; only a REFUSED one is looked at further
     */
    public boolean isForwardable(byte[] packet, int length, byte[] reply) {
        if (reply == null || reply.length < Header.LENGTH || (reply[3] & 0x0F) != Rcode.REFUSED) return false;
        try {
            Message query = new Message(Arrays.copyOf(packet, length));
            Record question = query.getQuestion();
            return question != null && query.getHeader().getOpcode() == Opcode.QUERY && !question.getName().subdomain(zone);
        } catch (Exception | StackOverflowError e) {
            return false;
        }
    }

    /**
     * Encodes a reply in at most {@code limit} bytes: whole RRsets that do not fit are left out and TC is set, so
     * the client retries over TCP; the OPT record is always kept. Null when not even the header fits.
     */
    public static byte[] encode(Message reply, int limit) {
        byte[] wire = reply.toWire(limit);
        return wire.length >= Header.LENGTH ? wire : null;
    }

    /** {@return the UDP reply limit the query allows: 512 without EDNS, else its advertised size within 512-1232} */
    public static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        if (opt == null) return CLASSIC_UDP_REPLY;
        return Math.max(CLASSIC_UDP_REPLY, Math.min(opt.getPayloadSize(), MAX_UDP_REPLY));
    }

    /**
     * Answers a parsed query.
     *
     * @return the reply, or null when the message must be dropped (a response, no single question)
     */
    public Message answer(Message query, ZoneView view) {
        Header qh = query.getHeader();
        if (qh.getFlag(Flags.QR)) return null;
        if (qh.getCount(Section.QUESTION) != 1 || query.getQuestion() == null) return null;
        Record question = query.getQuestion();

        Message reply = new Message(qh.getID());
        Header h = reply.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(qh.getOpcode());
        if (qh.getFlag(Flags.RD)) h.setFlag(Flags.RD);
        if (qh.getFlag(Flags.CD)) h.setFlag(Flags.CD);
        reply.addRecord(question, Section.QUESTION);

        OPTRecord queryOpt = query.getOPT();
        if (queryOpt != null) {
            int doFlag = queryOpt.getFlags() & ExtendedFlags.DO;
            if (queryOpt.getVersion() != 0) {
                // RFC 6891 6.1.3: only EDNS version 0 is spoken; BADVERS is extended rcode 16 (upper bits in the OPT).
                reply.addRecord(new OPTRecord(MAX_UDP_REPLY, Rcode.BADVERS >>> 4, 0, doFlag), Section.ADDITIONAL);
                h.setRcode(Rcode.BADVERS & 0xF);
                return reply;
            }
            reply.addRecord(new OPTRecord(MAX_UDP_REPLY, 0, 0, doFlag), Section.ADDITIONAL);
        }

        if (qh.getOpcode() != Opcode.QUERY) {
            h.setRcode(Rcode.NOTIMP);
            return reply;
        }
        Name qname = question.getName();
        int qtype = question.getType();
        if (question.getDClass() != DClass.IN || !qname.subdomain(zone)) {
            h.setRcode(Rcode.REFUSED);
            return reply;
        }
        switch (qtype) {
            case Type.AXFR, Type.IXFR -> {
                h.setRcode(Rcode.REFUSED); // zone transfers are not offered: the zone is the replica's box list
                return reply;
            }
            case Type.OPT, Type.TSIG, Type.TKEY, Type.MAILA, Type.MAILB -> {
                h.setRcode(Rcode.NOTIMP);
                return reply;
            }
            default -> { }
        }
        h.setFlag(Flags.AA);
        int depth = qname.labels() - zoneLabels; // labels below the zone apex
        if (depth == 0) {
            answerApex(reply, qname, qtype, view);
            return reply;
        }
        String boxLabel = qname.getLabelString(depth - 1).toLowerCase(Locale.ROOT);
        Inet4Address address;
        if (depth == 1 && boxLabel.equals("ns1")) {
            address = nsAddress;
        } else if (boxLabel.equals("ns1")) {
            address = null;
        } else {
            address = view.address(boxLabel);
            if (address != null && proxyAddress != null) address = proxyAddress;
        }
        if (address == null) {
            h.setRcode(Rcode.NXDOMAIN);
            reply.addRecord(soa(view), Section.AUTHORITY);
        } else if (qtype == Type.A || qtype == Type.ANY) {
            reply.addRecord(new ARecord(qname, DClass.IN, ttl, address), Section.ANSWER);
        } else {
            reply.addRecord(soa(view), Section.AUTHORITY); // NODATA: the name exists, the type does not
        }
        return reply;
    }

    private void answerApex(Message reply, Name qname, int qtype, ZoneView view) {
        boolean any = qtype == Type.ANY;
        if (qtype == Type.SOA || any) reply.addRecord(soa(view, qname), Section.ANSWER);
        if (qtype == Type.NS || any) {
            reply.addRecord(new NSRecord(qname, DClass.IN, ttl, ns1), Section.ANSWER);
            reply.addRecord(new ARecord(ns1, DClass.IN, ttl, nsAddress), Section.ADDITIONAL);
        }
        if (reply.getHeader().getCount(Section.ANSWER) == 0) reply.addRecord(soa(view), Section.AUTHORITY);
    }

    private SOARecord soa(ZoneView view) {
        return soa(view, zone);
    }

    private SOARecord soa(ZoneView view, Name owner) {
        return new SOARecord(owner, DClass.IN, ttl, ns1, hostmaster, view.serial(), SOA_REFRESH, SOA_RETRY,
                SOA_EXPIRE, ttl);
    }
}
