package boxd.dns;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Remembers UDP replies per query, for one {@link ZoneView}. {@link ZoneAnswerer#answerWire} is a pure function of the
 * query bytes and the view, so a query whose bytes equal an earlier one's (ID aside) gets the earlier reply with its
 * own ID: no parsing, no encoding. The cache starts empty whenever the view changes (every applied change, and the
 * periodic refresh), holds at most {@code maxEntries} replies (a flood of distinct names only fills it until the next
 * view), and never holds drops, so a malformed packet always goes the full, checked way.
 */
final class ReplyCache {
    private final ZoneAnswerer answerer;
    private final int maxEntries;
    private volatile Generation current = new Generation(null);

    ReplyCache(ZoneAnswerer answerer, int maxEntries) {
        this.answerer = answerer;
        this.maxEntries = maxEntries;
    }

    /** Same contract as {@code answerer.answerWire(packet, length, view, true)}. */
    byte[] answerUdp(byte[] packet, int length, ZoneView view) {
        if (length < 12 || length > ZoneAnswerer.MAX_QUERY || length > packet.length) return null;
        Generation g = current;
        if (g.view != view) {
            g = new Generation(view);
            current = g;
        }
        Key key = new Key(Arrays.copyOfRange(packet, 2, length), g.hashMultiplier); // everything but the ID
        byte[] cached = g.replies.get(key);
        if (cached == null) {
            cached = answerer.answerWire(packet, length, view, true);
            if (cached == null) return null;
            if (g.replies.size() < maxEntries) g.replies.putIfAbsent(key, cached);
        }
        byte[] reply = cached.clone();
        reply[0] = packet[0];
        reply[1] = packet[1];
        return reply;
    }

    int size() {
        return current.replies.size();
    }

    private static final class Generation {
        final ZoneView view;
        final ConcurrentHashMap<Key, byte[]> replies = new ConcurrentHashMap<>();
        // A secret multiplier per generation, so nobody can craft queries that all land in one hash bin.
        final int hashMultiplier = ThreadLocalRandom.current().nextInt() | 1;

        Generation(ZoneView view) {
            this.view = view;
        }
    }

    private static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes, int multiplier) {
            this.bytes = bytes;
            int h = 0;
            for (byte b : bytes) h = (h + (b & 0xFF) + 1) * multiplier;
            this.hash = h ^ (h >>> 16);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
