package boxd.dns;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per source address: each source may send {@code burst} queries at once and {@code perSecond} on
 * average; the rest are dropped before they are parsed. Sources are forgotten once their bucket is full again, and
 * the table is bounded: past {@code maxSources} (spoofed floods), new sources share one overflow bucket.
 */
final class SourceRateLimiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double perNano;
    private final double burst;
    private final int maxSources;
    private final LongSupplier clock;
    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private volatile long nextSweep;

    SourceRateLimiter(int perSecond, int burst, int maxSources, LongSupplier nanoClock) {
        this.perNano = (double) perSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.maxSources = maxSources;
        this.clock = nanoClock;
        long now = clock.getAsLong();
        this.overflow = new Bucket(this.burst, now);
        this.nextSweep = now + NANOS_PER_SECOND;
    }

    /** {@return whether a query from {@code source} may be answered now (and takes a token if so)} */
    boolean tryAcquire(InetAddress source) {
        long now = clock.getAsLong();
        if (now - nextSweep >= 0) sweep(now);
        Bucket bucket = buckets.get(source);
        if (bucket == null) {
            if (buckets.size() >= maxSources) {
                bucket = overflow;
            } else {
                bucket = buckets.computeIfAbsent(source, s -> new Bucket(burst, now));
            }
        }
        return bucket.take(now, perNano, burst);
    }

    int trackedSources() {
        return buckets.size();
    }

    /** Forgets sources whose bucket has refilled: they are indistinguishable from new ones. */
    private void sweep(long now) {
        nextSweep = now + NANOS_PER_SECOND;
        buckets.values().removeIf(b -> b.isFullAt(now, perNano, burst));
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(long now, double perNano, double burst) {
            refill(now, perNano, burst);
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }

        synchronized boolean isFullAt(long now, double perNano, double burst) {
            refill(now, perNano, burst);
            return tokens >= burst;
        }

        private void refill(long now, double perNano, double burst) {
            long elapsed = now - last;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed * perNano);
                last = now;
            }
        }
    }
}
