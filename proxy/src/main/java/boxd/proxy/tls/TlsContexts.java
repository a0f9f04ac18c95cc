package boxd.proxy.tls;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Picks the server certificate for a TLS handshake by SNI name: an operator certificate covering the name (exact,
 * then wildcard), else one the CA issues for that name (issued once off the event loop, then cached), else, for no
 * SNI or names outside the zone, the zone's default certificate ({@code ZONE} and {@code *.ZONE}).
 * Every context offers ALPN h2 and http/1.1.
 */
public final class TlsContexts implements AsyncMapping<String, SslContext> {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
    // bounds memory when clients send many distinct names; cleared wholesale, re-issued on demand
    private static final int MAX_CACHED = 10_000;

    private final String zone;
    private final CertificateAuthority ca;
    private final Map<String, SslContext> operator; // exact names and "*.parent" wildcards
    private final Map<String, SslContext> issued = new ConcurrentHashMap<>();
    private final SslContext fallback;
    private final Executor issuer;

    public TlsContexts(String zone, CertificateAuthority ca, Path operatorCertDir, Executor issuer) {
        this.zone = zone;
        this.ca = ca;
        this.issuer = issuer;
        this.operator = operatorCertDir == null ? Map.of() : loadOperator(operatorCertDir);
        SslContext op = operator.get(zone);
        if (op == null) op = operator.get("*." + zone);
        this.fallback = op != null ? op : fromIssued(ca.issue(zone, "*." + zone));
    }

    public CertificateAuthority ca() { return ca; }

    @Override
    public Future<SslContext> map(String sniName, Promise<SslContext> promise) {
        String name = sniName == null ? null : sniName.toLowerCase(Locale.ROOT);
        SslContext ctx = lookupNow(name);
        if (ctx != null) return promise.setSuccess(ctx);
        // issuing takes a key generation and a signature: keep it off the event loop
        try {
            issuer.execute(() -> {
                try {
                    promise.trySuccess(issueFor(name));
                } catch (RuntimeException e) {
                    log.warn("cannot issue a certificate for {}: {}", name, e.getMessage());
                    promise.trySuccess(fallback);
                }
            });
        } catch (RuntimeException rejected) {
            promise.trySuccess(fallback);
        }
        return promise;
    }

    /** {@return the context available without issuing, or null when the CA must issue one} */
    SslContext lookupNow(String name) {
        if (name == null || !isIssuable(name)) {
            SslContext op = name == null ? null : operatorFor(name);
            return op != null ? op : fallback;
        }
        SslContext op = operatorFor(name);
        if (op != null) return op;
        return issued.get(name);
    }

    /** Issues (or returns the cached) certificate context for a name under the zone. */
    public SslContext issueFor(String name) {
        SslContext cached = issued.get(name);
        if (cached != null) return cached;
        SslContext ctx = fromIssued(ca.issue(name));
        if (issued.size() >= MAX_CACHED) issued.clear();
        SslContext prev = issued.putIfAbsent(name, ctx);
        return prev != null ? prev : ctx;
    }

    private SslContext operatorFor(String name) {
        if (operator.isEmpty()) return null;
        SslContext c = operator.get(name);
        if (c != null) return c;
        int dot = name.indexOf('.');
        return dot > 0 ? operator.get("*" + name.substring(dot)) : null;
    }

    /** NAME.ZONE and SUB.NAME.ZONE with plausible labels; nothing else gets a certificate of its own. */
    private boolean isIssuable(String name) {
        if (!name.endsWith("." + zone) || name.length() > 253) return false;
        String labels = name.substring(0, name.length() - zone.length() - 1);
        String[] parts = labels.split("\\.", -1);
        if (parts.length > 2) return false;
        for (String p : parts) {
            if (!p.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) return false;
        }
        return true;
    }

    private static SslContext fromIssued(CertificateAuthority.Issued i) {
        return build(i.key(), new X509Certificate[]{i.certificate(), i.issuer()});
    }

    static SslContext build(PrivateKey key, X509Certificate[] chain) {
        try {
            return SslContextBuilder.forServer(key, chain)
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** Reads every {@code NAME.crt} with a sibling {@code NAME.key}; indexes it by the DNS names it covers. */
    static Map<String, SslContext> loadOperator(Path dir) {
        Map<String, SslContext> out = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("operator certificate directory " + dir
                    + " does not exist (create it with NAME.crt/NAME.key PEM pairs, or leave the option unset to use the generated CA)");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.crt")) {
            for (Path crt : ds) {
                String base = crt.getFileName().toString();
                base = base.substring(0, base.length() - 4);
                Path key = crt.resolveSibling(base + ".key");
                if (!Files.exists(key)) {
                    log.warn("operator certificate {} has no {} next to it; skipped", crt, key.getFileName());
                    continue;
                }
                List<X509Certificate> chain = Pem.readCertificates(crt);
                SslContext ctx = build(Pem.readPrivateKey(key), chain.toArray(X509Certificate[]::new));
                for (String n : names(chain.get(0), base)) out.put(n, ctx);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read operator certificates in " + dir + ": " + e.getMessage()
                    + " (each NAME.crt needs a PEM chain and NAME.key an unencrypted PEM key)", e);
        }
        log.info("loaded operator certificates for {}", out.keySet());
        return Map.copyOf(out);
    }

    private static List<String> names(X509Certificate cert, String fileBase) {
        List<String> names = new ArrayList<>();
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                }
            }
        } catch (CertificateParsingException ignored) {
            // fall back to the file name
        }
        if (names.isEmpty()) names.add(fileBase.toLowerCase(Locale.ROOT).replace("_wildcard", "*"));
        return names;
    }
}
