package boxd.proxy.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The proxy's own certificate authority: generated at first start into the data directory's {@code keys/}
 * ({@code proxy-ca.crt}, {@code proxy-ca.key}, owner-only), kept and reused afterwards, and name-constrained to the
 * zone so that a user who trusts it trusts nothing outside {@code ZONE}. Issues short-lived per-name leaf certificates.
 */
public final class CertificateAuthority {
    private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE = "SHA256withECDSA";
    // browsers refuse leaf certificates valid for more than 398 days
    private static final Duration LEAF_VALIDITY = Duration.ofDays(397);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String pem;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        this.pem = Pem.encode(certificate);
    }

    /** A leaf certificate and its key. */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {}

    /**
     * Loads the CA from {@code keysDir}, or generates and saves one when none exists there (or the one there was made
     * for another zone, in which case the old files are kept with a {@code .old} suffix).
     */
    public static CertificateAuthority loadOrCreate(Path keysDir, String zone) {
        Path crt = keysDir.resolve("proxy-ca.crt");
        Path keyFile = keysDir.resolve("proxy-ca.key");
        try {
            if (Files.exists(crt) && Files.exists(keyFile)) {
                List<X509Certificate> chain = Pem.readCertificates(crt);
                PrivateKey k = Pem.readPrivateKey(keyFile);
                if (!chain.isEmpty() && chain.get(0).getSubjectX500Principal().getName().contains("boxd CA " + zone)) {
                    return new CertificateAuthority(chain.get(0), k);
                }
                log.warn("proxy CA in {} was made for another zone; generating one for {} (old files kept as *.old)",
                        keysDir, zone);
                Files.move(crt, crt.resolveSibling("proxy-ca.crt.old"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(keyFile, keyFile.resolveSibling("proxy-ca.key.old"), StandardCopyOption.REPLACE_EXISTING);
            }
            CertificateAuthority ca = generate(zone);
            Files.createDirectories(keysDir);
            writeOwnerOnly(keyFile, ca.keyPem());
            Files.writeString(crt.resolveSibling("proxy-ca.crt.tmp"), ca.pem);
            Files.move(crt.resolveSibling("proxy-ca.crt.tmp"), crt, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            log.info("generated proxy CA for zone {} in {}", zone, keysDir);
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the proxy CA in " + keysDir + ": " + e.getMessage()
                    + " (check that the data directory is writable by this user)", e);
        }
    }

    /** A fresh CA for {@code zone}, kept in memory only. */
    public static CertificateAuthority generate(String zone) {
        try {
            KeyPair kp = newKeyPair();
            X500Name subject = new X500Name("CN=boxd CA " + zone + ",O=boxd");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            // a user trusting this CA trusts it for the zone only
            b.addExtension(Extension.nameConstraints, true, new NameConstraints(
                    new GeneralSubtree[]{new GeneralSubtree(new GeneralName(GeneralName.dNSName, zone))}, null));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate())));
            return new CertificateAuthority(cert, kp.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate the proxy CA: " + e.getMessage(), e);
        }
    }

    /** Issues a certificate for {@code dnsName} and {@code more} names (valid 397 days, server authentication only). */
    public Issued issue(String dnsName, String... more) {
        try {
            KeyPair kp = newKeyPair();
            Instant now = Instant.now();
            X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(LEAF_VALIDITY)),
                    new X500Name("CN=" + dnsName), kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans(dnsName, more)));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
            return new Issued(kp.getPrivate(), cert, certificate);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + dnsName + ": " + e.getMessage(), e);
        }
    }

    private static GeneralName[] sans(String first, String... more) {
        GeneralName[] out = new GeneralName[1 + more.length];
        out[0] = new GeneralName(GeneralName.dNSName, first);
        for (int i = 0; i < more.length; i++) out[i + 1] = new GeneralName(GeneralName.dNSName, more[i]);
        return out;
    }

    public X509Certificate certificate() { return certificate; }

    /** {@return the CA certificate in PEM, what users download and trust} */
    public String certificatePem() { return pem; }

    private String keyPem() throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(key, null));
        }
        return w.toString();
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.write(tmp, text.getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey k) throws Exception {
        return new JcaContentSignerBuilder(SIGNATURE).build(k);
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
