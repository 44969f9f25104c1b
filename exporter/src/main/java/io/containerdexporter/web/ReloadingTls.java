package io.containerdexporter.web;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.containerdexporter.config.WebConfig;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One SSLContext for the server's whole life whose key and trust managers ask, at every handshake,
 * for the TLS material in force: a rotated certificate or CA is used from the next connection on,
 * without a restart. The JDK's HttpsServer calls {@link #configure} for each new connection, which
 * applies the current versions, ciphers and client-auth policy.
 */
final class ReloadingTls extends HttpsConfigurator {

  private final Supplier<TlsMaterial> current;

  private ReloadingTls(SSLContext context, Supplier<TlsMaterial> current) {
    super(context);
    this.current = current;
  }

  static ReloadingTls create(Supplier<TlsMaterial> current) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        new javax.net.ssl.KeyManager[] {new Keys(current)},
        new javax.net.ssl.TrustManager[] {new Trust(current)},
        null);
    return new ReloadingTls(context, current);
  }

  @Override
  public void configure(HttpsParameters params) {
    WebConfig.Tls tls = current.get().settings();
    SSLParameters p = getSSLContext().getDefaultSSLParameters();
    p.setProtocols(protocols(tls, getSSLContext().getSupportedSSLParameters().getProtocols()));
    if (!tls.cipherSuites().isEmpty()) {
      List<String> suites = new ArrayList<>(tls.cipherSuites());
      // TLS 1.3 suites stay the JDK's, as Go ignores cipher_suites for TLS 1.3.
      Arrays.stream(p.getCipherSuites())
          .filter(c -> c.startsWith("TLS_AES_") || c.startsWith("TLS_CHACHA20_"))
          .forEach(suites::add);
      p.setCipherSuites(suites.toArray(String[]::new));
    }
    p.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
    if (tls.clientAuth().required()) {
      p.setNeedClientAuth(true);
    } else if (tls.clientAuth() != WebConfig.ClientAuth.NO_CLIENT_CERT) {
      p.setWantClientAuth(true);
    }
    params.setSSLParameters(p);
  }

  /** The versions from min to max that the JDK supports (it refuses TLS 1.0/1.1 by default). */
  static String[] protocols(WebConfig.Tls tls, String[] supported) {
    List<String> order = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    int from = order.indexOf(tls.minVersion());
    int to = order.indexOf(tls.maxVersion());
    List<String> available = List.of(supported);
    return order.subList(from, to + 1).stream().filter(available::contains).toArray(String[]::new);
  }

  private static final class Keys extends X509ExtendedKeyManager {
    private final Supplier<TlsMaterial> current;

    Keys(Supplier<TlsMaterial> current) {
      this.current = current;
    }

    private X509ExtendedKeyManager now() {
      return current.get().keyManager();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return now().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return now().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return now().getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return now().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return now().getPrivateKey(alias);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null; // a server presents no client certificate
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }

  private static final class Trust extends X509ExtendedTrustManager {
    private final Supplier<TlsMaterial> current;

    Trust(Supplier<TlsMaterial> current) {
      this.current = current;
    }

    private X509ExtendedTrustManager now() {
      return current.get().trust();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      now().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      now().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      now().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      now().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      now().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      now().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return now().getAcceptedIssuers();
    }
  }
}
