package boxd.proxy.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The CA and the choice of certificate by SNI, through real TLS handshakes over {@link EmbeddedChannel}s. */
class TlsTest {
    @TempDir Path dir;

    @Test
    void caIsGeneratedOnceKeptOwnerOnlyAndReused() throws Exception {
        CertificateAuthority first = CertificateAuthority.loadOrCreate(dir, "boxd.local");
        CertificateAuthority again = CertificateAuthority.loadOrCreate(dir, "boxd.local");
        assertEquals(first.certificate(), again.certificate());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("proxy-ca.key"))));
        assertEquals(first.certificatePem(), Files.readString(dir.resolve("proxy-ca.crt")));
        CertificateAuthority otherZone = CertificateAuthority.loadOrCreate(dir, "example.test");
        assertNotEquals(first.certificate(), otherZone.certificate(), "a CA is constrained to its zone");
        assertTrue(Files.exists(dir.resolve("proxy-ca.crt.old")));
    }

    @Test
    void issuedCertificatesValidateAgainstTheCaWithinTheZoneOnly() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate("boxd.local");
        X509Certificate leaf = ca.issue("web.boxd.local").certificate();
        assertTrue(leaf.getSubjectAlternativeNames().contains(List.of(2, "web.boxd.local")));
        assertEquals(-1, leaf.getBasicConstraints());
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params); // throws if not valid
    }

    @Test
    void opensslHonoursTheZoneConstraint() throws Exception {
        boxd.common.testing.Host.requireCommand("openssl", "openssl");
        CertificateAuthority ca = CertificateAuthority.generate("boxd.local");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, ca.certificatePem());
        Path inside = dir.resolve("inside.pem");
        Files.writeString(inside, Pem.encode(ca.issue("api.web.boxd.local").certificate()));
        Path outside = dir.resolve("outside.pem");
        Files.writeString(outside, Pem.encode(ca.issue("bank.example.com").certificate()));
        var ok = boxd.common.testing.Cmd.run("openssl", "verify", "-CAfile", caFile.toString(), inside.toString());
        assertEquals(0, ok.exit(), ok.stdout() + ok.stderr());
        var refused = boxd.common.testing.Cmd.run("openssl", "verify", "-CAfile", caFile.toString(), outside.toString());
        assertNotEquals(0, refused.exit(), "a CA trusted for the zone must not vouch for other names: " + refused.stdout());
        assertTrue((refused.stdout() + refused.stderr()).contains("subtree"), refused.stdout() + refused.stderr());
    }

    @Test
    void sniPicksAPerNameCertificateIssuedOnceAndAZoneDefault() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate("boxd.local");
        AtomicInteger issued = new AtomicInteger();
        TlsContexts tls = new TlsContexts("boxd.local", ca, null, r -> {
            issued.incrementAndGet();
            r.run();
        });
        Handshake h = handshake(tls, "web.boxd.local");
        assertTrue(h.cert().getSubjectAlternativeNames().contains(List.of(2, "web.boxd.local")));
        assertEquals(ApplicationProtocolNames.HTTP_2, h.alpn());
        assertEquals(1, issued.get());
        handshake(tls, "WEB.boxd.local");
        assertEquals(1, issued.get(), "cached by lower-cased name");
        var sub = handshake(tls, "api.web.boxd.local").cert();
        assertTrue(sub.getSubjectAlternativeNames().contains(List.of(2, "api.web.boxd.local")));
        var foreign = handshake(tls, "example.com").cert();
        assertTrue(foreign.getSubjectAlternativeNames().contains(List.of(2, "*.boxd.local")), "zone default");
        var none = handshake(tls, null).cert();
        assertTrue(none.getSubjectAlternativeNames().contains(List.of(2, "boxd.local")));
        assertEquals(2, issued.get(), "nothing issued for names outside the zone");
    }

    @Test
    void operatorCertificatesWinForTheNamesTheyCover() throws Exception {
        CertificateAuthority operatorCa = CertificateAuthority.generate("example.test");
        Path certs = Files.createDirectories(dir.resolve("certs"));
        write(certs, "_wildcard.example.test", operatorCa.issue("*.example.test", "example.test"));
        // a self-signed RSA certificate with a PKCS#1 key, the way openssl makes them
        boxd.common.testing.Host.requireCommand("openssl", "openssl");
        Path k = certs.resolve("shop.pkcs8");
        boxd.common.testing.Cmd.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", k.toString(),
                "-out", certs.resolve("shop.example.test.crt").toString(), "-subj", "/CN=shop.example.test",
                "-addext", "subjectAltName=DNS:shop.example.test", "-days", "30").requireSuccess();
        boxd.common.testing.Cmd.run("openssl", "rsa", "-in", k.toString(), "-traditional",
                "-out", certs.resolve("shop.example.test.key").toString()).requireSuccess();
        assertTrue(Files.readString(certs.resolve("shop.example.test.key")).contains("BEGIN RSA PRIVATE KEY"));
        CertificateAuthority ours = CertificateAuthority.generate("example.test");
        TlsContexts tls = new TlsContexts("example.test", ours, certs, Runnable::run);

        X509Certificate shop = handshake(tls, "shop.example.test").cert();
        assertEquals(List.of(List.of(2, "shop.example.test")), List.copyOf(shop.getSubjectAlternativeNames()));
        X509Certificate web = handshake(tls, "web.example.test").cert();
        assertTrue(web.getSubjectAlternativeNames().contains(List.of(2, "*.example.test")));
        assertEquals(operatorCa.certificate().getSubjectX500Principal(), web.getIssuerX500Principal());
        X509Certificate sub = handshake(tls, "api.web.example.test").cert();
        assertEquals(ours.certificate().getSubjectX500Principal(), sub.getIssuerX500Principal(),
                "names no operator certificate covers come from the generated CA");
        X509Certificate apex = handshake(tls, null).cert();
        assertEquals(operatorCa.certificate().getSubjectX500Principal(), apex.getIssuerX500Principal());
    }

    @Test
    void aMissingOperatorDirectoryIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TlsContexts("boxd.local",
                CertificateAuthority.generate("boxd.local"), dir.resolve("nope"), Runnable::run));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    private static void write(Path certs, String base, CertificateAuthority.Issued i) throws Exception {
        StringWriter crt = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(crt)) {
            w.writeObject(i.certificate());
            w.writeObject(i.issuer());
        }
        StringWriter key = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(key)) {
            w.writeObject(new JcaPKCS8Generator(i.key(), null));
        }
        Files.writeString(certs.resolve(base + ".crt"), crt.toString());
        Files.writeString(certs.resolve(base + ".key"), key.toString());
    }

    record Handshake(X509Certificate cert, String alpn) {}

    /** A client handshake with {@code sni} (none when null) against a server channel holding only an SniHandler. */
    static Handshake handshake(TlsContexts tls, String sni) throws Exception {
        SslContext client = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)).build();
        SslHandler clientTls = sni == null ? client.newHandler(ByteBufAllocator.DEFAULT)
                : client.newHandler(ByteBufAllocator.DEFAULT, sni, 443);
        EmbeddedChannel c = new EmbeddedChannel(clientTls);
        EmbeddedChannel s = new EmbeddedChannel(new SniHandler(tls));
        try {
            for (int i = 0; i < 50 && !clientTls.handshakeFuture().isDone(); i++) {
                move(c, s);
                move(s, c);
                s.runPendingTasks();
                c.runPendingTasks();
            }
            assertTrue(clientTls.handshakeFuture().isSuccess(), "handshake: " + clientTls.handshakeFuture().cause());
            var session = clientTls.engine().getSession();
            return new Handshake((X509Certificate) session.getPeerCertificates()[0], clientTls.applicationProtocol());
        } finally {
            c.finishAndReleaseAll();
            s.finishAndReleaseAll();
        }
    }

    private static void move(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object o; (o = from.readOutbound()) != null; ) to.writeInbound((ByteBuf) o);
    }
}
