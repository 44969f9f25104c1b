package io.containerdexporter.web;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test with Bouncy Castle, as exporter-toolkit's testdata has them: a CA,
 * a server certificate for localhost/127.0.0.1 signed by it, client certificates with chosen SANs,
 * and self-signed ones no CA vouches for. Keys are EC P-256 (fast) or RSA where a test needs it.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {

    public String certPem() {
      return pem(cert);
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"). */
    public String keyPem() {
      try {
        return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * The traditional form, for RSA keys: PKCS#1 ("BEGIN RSA PRIVATE KEY"). (Bouncy Castle writes a
     * JDK EC key as SEC1 without its curve, which no one can read; OpenSSL's SEC1 carries it.)
     */
    String traditionalKeyPem() {
      return pem(keys.getPrivate());
    }

    Issued write(Path dir, String name) throws IOException {
      Files.writeString(dir.resolve(name + ".crt"), certPem());
      Files.writeString(dir.resolve(name + ".key"), keyPem());
      return this;
    }

    /**
     * A client-side (or trust-side) SSLContext presenting this certificate, trusting {@code ca}.
     */
    SSLContext clientContext(X509Certificate trusted) throws GeneralSecurityException, IOException {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("me", keys.getPrivate(), new char[0], new X509Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(store, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trusting(trusted).getTrustManagers(), null);
      return ctx;
    }
  }

  private TestCertificates() {}

  public static Issued ca(String name) throws GeneralSecurityException, IOException {
    KeyPair keys = ec();
    return new Issued(keys, sign(name, keys, name, keys, true));
  }

  /** A server certificate for localhost and 127.0.0.1. */
  public static Issued server(Issued ca) throws GeneralSecurityException, IOException {
    return leaf(
        ca,
        "localhost",
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
  }

  /** An RSA server certificate (for RSA cipher suites and PKCS#1 keys). */
  static Issued rsaServer(Issued ca) throws GeneralSecurityException, IOException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair keys = g.generateKeyPair();
    return new Issued(
        keys,
        sign(
            "localhost",
            keys,
            subject(ca),
            ca.keys(),
            false,
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
  }

  static Issued client(Issued ca, String dnsSan) throws GeneralSecurityException, IOException {
    return leaf(ca, "client " + dnsSan, new GeneralName(GeneralName.dNSName, dnsSan));
  }

  static Issued selfSignedClient(String dnsSan) throws GeneralSecurityException, IOException {
    KeyPair keys = ec();
    return new Issued(
        keys,
        sign(dnsSan, keys, dnsSan, keys, false, new GeneralName(GeneralName.dNSName, dnsSan)));
  }

  public static TrustManagerFactory trusting(X509Certificate ca)
      throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    return tmf;
  }

  /** A client SSLContext that presents no certificate and trusts {@code ca}. */
  static SSLContext anonymousClient(X509Certificate ca)
      throws GeneralSecurityException, IOException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, trusting(ca).getTrustManagers(), null);
    return ctx;
  }

  private static Issued leaf(Issued ca, String cn, GeneralName... sans)
      throws GeneralSecurityException, IOException {
    KeyPair keys = ec();
    return new Issued(keys, sign(cn, keys, subject(ca), ca.keys(), false, sans));
  }

  private static String subject(Issued ca) {
    return ca.cert().getSubjectX500Principal().getName().replaceFirst("^CN=", "");
  }

  private static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(
      String cn, KeyPair subject, String issuerCn, KeyPair issuer, boolean ca, GeneralName... sans)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuerCn),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name("CN=" + cn),
            subject.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (ca) {
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    if (sans.length > 0) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    }
    String algorithm =
        issuer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate())));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  static String pem(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
