package boxd.ssh.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthRateLimiterTest {
    @Test
    void blocksAnAddressForTheRestOfTheWindow() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        AuthRateLimiter l = new AuthRateLimiter(3, now::get);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        l.recordFailure(a);
        l.recordFailure(a);
        assertFalse(l.isBlocked(a));
        l.recordFailure(a);
        assertTrue(l.isBlocked(a));
        assertFalse(l.isBlocked(b), "other addresses are not affected");
        now.addAndGet(AuthRateLimiter.WINDOW_MILLIS - 1);
        assertTrue(l.isBlocked(a));
        now.addAndGet(1);
        assertFalse(l.isBlocked(a), "failures leave the window");
    }
}
