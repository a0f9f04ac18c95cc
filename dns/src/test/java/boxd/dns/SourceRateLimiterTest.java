package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final InetAddress a = ZoneAnswererTest.ip("192.0.2.1");
    private final InetAddress b = ZoneAnswererTest.ip("192.0.2.2");

    @Test
    void aSourceGetsItsBurstThenItsRate() {
        SourceRateLimiter limiter = new SourceRateLimiter(10, 5, 1000, now::get);
        for (int i = 0; i < 5; i++) assertTrue(limiter.tryAcquire(a), "burst query " + i);
        assertFalse(limiter.tryAcquire(a), "over the burst");
        now.addAndGet(100_000_000); // 0.1 s at 10/s: one token
        assertTrue(limiter.tryAcquire(a));
        assertFalse(limiter.tryAcquire(a));
        now.addAndGet(10_000_000_000L); // long idle: back to the burst, not more
        int allowed = 0;
        for (int i = 0; i < 20; i++) if (limiter.tryAcquire(a)) allowed++;
        assertEquals(5, allowed);
    }

    @Test
    void sourcesAreLimitedSeparately() {
        SourceRateLimiter limiter = new SourceRateLimiter(1, 2, 1000, now::get);
        assertTrue(limiter.tryAcquire(a));
        assertTrue(limiter.tryAcquire(a));
        assertFalse(limiter.tryAcquire(a));
        assertTrue(limiter.tryAcquire(b), "another source is not affected");
    }

    @Test
    void theTableIsBoundedAndForgetsRefilledSources() {
        SourceRateLimiter limiter = new SourceRateLimiter(1, 1, 2, now::get);
        assertTrue(limiter.tryAcquire(a));
        assertTrue(limiter.tryAcquire(b));
        assertEquals(2, limiter.trackedSources());
        InetAddress c = ZoneAnswererTest.ip("192.0.2.3");
        InetAddress d = ZoneAnswererTest.ip("192.0.2.4");
        assertTrue(limiter.tryAcquire(c), "past the table size, new sources share the overflow bucket");
        assertFalse(limiter.tryAcquire(d), "... which is then empty");
        assertEquals(2, limiter.trackedSources());
        now.addAndGet(5_000_000_000L);
        assertTrue(limiter.tryAcquire(d));
        assertEquals(1, limiter.trackedSources(), "refilled sources were forgotten, d was added");
    }
}
