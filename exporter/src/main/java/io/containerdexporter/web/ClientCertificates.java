package io.containerdexporter.web;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust decisions on client certificates: verified against the client CAs or accepted as given
 * (toolkit's RequestClientCert / RequireAnyClientCert), then, when {@code client_allowed_sans} is
 * set, required to carry one of those SANs, as toolkit's VerifyPeerCertificate. Server-side only:
 * the server-trust methods refuse.
 */
final class ClientCertificates extends X509ExtendedTrustManager {

  private static final X509Certificate[] NONE = new X509Certificate[0];

  private final X509ExtendedTrustManager verifying; // null: accept any certificate
  private final List<String> allowedSans;

  private ClientCertificates(X509ExtendedTrustManager verifying, List<String> allowedSans) {
    this.verifying = verifying;
    this.allowedSans = List.copyOf(allowedSans);
  }

  static ClientCertificates verified(X509ExtendedTrustManager verifying, List<String> allowedSans) {
    return new ClientCertificates(verifying, allowedSans);
  }

  static ClientCertificates acceptAny(List<String> allowedSans) {
    return new ClientCertificates(null, allowedSans);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (verifying != null) {
      verifying.checkClientTrusted(chain, authType, engine);
    }
    checkSans(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (verifying != null) {
      verifying.checkClientTrusted(chain, authType, socket);
    }
    checkSans(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (verifying != null) {
      verifying.checkClientTrusted(chain, authType);
    }
    checkSans(chain);
  }

  private void checkSans(X509Certificate[] chain) throws CertificateException {
    if (allowedSans.isEmpty() || chain == null || chain.length == 0) {
      return;
    }
    try {
      Collection<List<?>> sans = chain[0].getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          // 1 e-mail, 2 DNS, 6 URI, 7 IP: the kinds toolkit compares
          if (san.size() == 2
              && san.get(1) instanceof String value
              && allowedSans.contains(value)) {
            return;
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new CertificateException("client certificate's SANs cannot be read", e);
    }
    throw new CertificateException("client certificate carries none of the allowed SANs");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verifying == null ? NONE : verifying.getAcceptedIssuers();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a server does not check servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a server does not check servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a server does not check servers");
  }
}
