package boxd.ssh.auth;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed logins per source address in a sliding one-minute window. An address over the limit is refused at
 * accept time (before any crypto) until its oldest failure leaves the window, so guessing costs the attacker time and
 * costs us nothing.
 */
public final class AuthRateLimiter {
    static final long WINDOW_MILLIS = 60_000;
    /** Bound on tracked addresses, so a spray from many sources cannot grow the map without end. */
    private static final int MAX_TRACKED = 100_000;

    private final int limit;
    private final LongSupplier clock;
    private final Map<InetAddress, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

    public AuthRateLimiter(int failuresPerMinute) {
        this(failuresPerMinute, System::currentTimeMillis);
    }

    AuthRateLimiter(int failuresPerMinute, LongSupplier clock) {
        this.limit = failuresPerMinute;
        this.clock = clock;
    }

    public void recordFailure(InetAddress address) {
        if (address == null) return;
        if (failures.size() >= MAX_TRACKED) prune();
        ArrayDeque<Long> q = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(clock.getAsLong());
            while (q.size() > limit + 1) q.removeFirst();
        }
    }

    /** {@return whether new connections from this address are refused now} */
    public boolean isBlocked(InetAddress address) {
        if (address == null) return false;
        ArrayDeque<Long> q = failures.get(address);
        if (q == null) return false;
        long now = clock.getAsLong();
        synchronized (q) {
            while (!q.isEmpty() && now - q.peekFirst() >= WINDOW_MILLIS) q.removeFirst();
            if (q.isEmpty()) failures.remove(address, q);
            return q.size() >= limit;
        }
    }

    private void prune() {
        for (InetAddress a : failures.keySet()) isBlocked(a);
    }
}
