package boxd.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import boxd.common.BoxdException;
import boxd.common.ErrorCode;

class DnsConfigTest {
    @Test
    void defaults() {
        DnsConfig c = DnsConfig.defaults();
        assertEquals(5353, c.port());
        assertEquals("boxd.local", c.zone());
        assertEquals(60, c.ttlSeconds());
        assertEquals(DnsConfig.AnswerMode.BOX_ADDRESS, c.answerMode());
        assertTrue(c.bindAddress().isAnyLocalAddress());
        assertEquals(InetAddress.getLoopbackAddress(), c.effectiveNsAddress(), "wildcard bind publishes loopback");
        assertTrue(c.rateLimitPerSecond() > 0 && c.rateLimitBurst() >= c.rateLimitPerSecond());
        assertTrue(c.udpThreads() >= 1 && c.maxTcpConnections() >= 1);
    }

    @Test
    void zoneIsNormalised() {
        assertEquals("boxes.example.com", DnsConfig.defaults().withZone("Boxes.Example.COM.").zone());
        assertEquals("boxd.local", DnsConfig.defaults().withZone("").zone());
    }

    @Test
    void invalidSettingsAreRefusedWithAReason() {
        BoxdException e = assertThrows(BoxdException.class, () -> DnsConfig.defaults().withZone("bad_zone..com"));
        assertEquals(ErrorCode.INVALID, e.code());
        assertTrue(e.getMessage().contains("bad_zone"), e.getMessage());
        assertThrows(BoxdException.class, () -> DnsConfig.defaults().withBind(null, 70000));
        assertThrows(BoxdException.class, () -> DnsConfig.defaults().withRateLimit(-1, 0));
        BoxdException proxy = assertThrows(BoxdException.class, () -> new DnsConfig(null, 53, "z", DnsConfig.AnswerMode.PROXY_ADDRESS,
                null, null, 60, 0, 0, 1, 1));
        assertTrue(proxy.getMessage().contains("proxy"), proxy.getMessage());
    }

    @Test
    void nsAddressFollowsTheBindAddressUnlessSet() {
        var bound = DnsConfig.defaults().withBind(ZoneAnswererTest.ip("192.0.2.9"), 53);
        assertEquals(ZoneAnswererTest.ip("192.0.2.9"), bound.effectiveNsAddress());
        assertEquals(ZoneAnswererTest.ip("198.51.100.1"), bound.withNsAddress(ZoneAnswererTest.ip("198.51.100.1")).effectiveNsAddress());
        var proxied = DnsConfig.defaults().withProxyAddress(ZoneAnswererTest.ip("203.0.113.1"));
        assertEquals(DnsConfig.AnswerMode.PROXY_ADDRESS, proxied.answerMode());
    }
}
