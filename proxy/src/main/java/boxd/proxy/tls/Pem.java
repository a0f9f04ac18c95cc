package boxd.proxy.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** PEM reading and writing (certificates, PKCS#8 / PKCS#1 / SEC1 private keys) through Bouncy Castle. */
final class Pem {
    private Pem() {}

    static String encode(X509Certificate cert) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(cert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    try {
                        out.add(new JcaX509CertificateConverter().getCertificate(h));
                    } catch (CertificateException e) {
                        throw new IOException("bad certificate in " + file + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        if (out.isEmpty()) throw new IOException("no PEM certificate found in " + file);
        return out;
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
            Object o;
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            while ((o = p.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) return conv.getPrivateKey(info);
                if (o instanceof PEMKeyPair kp) { // SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"
                    return kp.getPublicKeyInfo() != null ? conv.getKeyPair(kp).getPrivate()
                            : conv.getPrivateKey(kp.getPrivateKeyInfo());
                }
            }
        }
        throw new IOException("no unencrypted PEM private key found in " + file
                + " (expected PKCS#8 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')");
    }
}
