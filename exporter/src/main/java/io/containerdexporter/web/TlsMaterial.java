package io.containerdexporter.web;

import io.containerdexporter.config.WebConfig;
import io.containerdexporter.config.WebConfig.Pem;
import io.containerdexporter.config.WebConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The certificates and key one {@code tls_server_config} names, read and checked as Go's {@code
 * tls.X509KeyPair} does (PKCS#1, PKCS#8 or SEC1 keys; the key must match the certificate), turned
 * into the JDK's key and trust managers. Every failure names the key it came from.
 */
record TlsMaterial(
    WebConfig.Tls settings, X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trust) {

  static final String ALIAS = "server";

  static TlsMaterial load(Path configFile, WebConfig.Tls tls) throws WebConfigException {
    List<X509Certificate> chain = certificates(configFile, tls.cert());
    if (chain.isEmpty()) {
      throw new WebConfigException(configFile, tls.cert().key(), "no certificate in it");
    }
    PrivateKey key = privateKey(configFile, tls.key());
    if (!matches(key, chain.get(0))) {
      throw new WebConfigException(
          configFile, tls.key().key(), "private key does not match public key of the certificate");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] none = new char[0];
      store.setKeyEntry(ALIAS, key, none, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
      kmf.init(store, none);
      X509ExtendedKeyManager km = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
      return new TlsMaterial(tls, km, trust(configFile, tls));
    } catch (GeneralSecurityException | IOException e) {
      throw new WebConfigException(configFile, tls.key().key(), "unusable key: " + e.getMessage());
    }
  }

  private static X509ExtendedTrustManager trust(Path configFile, WebConfig.Tls tls)
      throws WebConfigException, GeneralSecurityException, IOException {
    if (!tls.clientAuth().verified()) {
      return ClientCertificates.acceptAny(tls.clientAllowedSans());
    }
    KeyStore cas = null; // null: the JDK's default trust store, as Go falls back to system roots
    if (tls.clientCa().isPresent()) {
      List<X509Certificate> certs = certificates(configFile, tls.clientCa().get());
      cas = KeyStore.getInstance("PKCS12");
      cas.load(null, null);
      for (int i = 0; i < certs.size(); i++) {
        cas.setCertificateEntry("ca-" + i, certs.get(i));
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(cas);
    X509ExtendedTrustManager verifying = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
    return ClientCertificates.verified(verifying, tls.clientAllowedSans());
  }

  private static String text(Path configFile, Pem pem) throws WebConfigException {
    if (pem instanceof Pem.Inline inline) {
      return inline.text();
    }
    Path path = ((Pem.File) pem).path();
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new WebConfigException(configFile, pem.key(), path + ": no such file");
    } catch (IOException e) {
      throw new WebConfigException(
          configFile, pem.key(), path + ": cannot read: " + e.getMessage());
    }
  }

  private static List<X509Certificate> certificates(Path configFile, Pem pem)
      throws WebConfigException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(reader(configFile, pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new WebConfigException(
          configFile, pem.key(), "not a PEM certificate: " + e.getMessage());
    }
    return out;
  }

  private static PrivateKey privateKey(Path configFile, Pem pem) throws WebConfigException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(reader(configFile, pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          // PKCS#1 RSA or SEC1 EC; SEC1's public key is optional, so only the private part is used
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info); // PKCS#8
        }
      }
    } catch (IOException | RuntimeException e) {
      // no message from the parser: it could quote the secret's bytes
      throw new WebConfigException(configFile, pem.key(), "not a PEM private key");
    }
    throw new WebConfigException(
        configFile, pem.key(), "no unencrypted private key (PKCS#1, PKCS#8 or EC) in it");
  }

  private static Reader reader(Path configFile, Pem pem) throws WebConfigException {
    return new StringReader(text(configFile, pem));
  }

  /** Signs a few bytes with the key and verifies them with the certificate. */
  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      byte[] probe = "containerd-exporter key check".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
