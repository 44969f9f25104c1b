package io.containerdexporter.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS request over a fresh connection with exactly the client's TLS choices (versions,
 * suites, certificate), so a test sees the handshake itself: a refused one is an exception, an
 * accepted one gives the status line, the response and the server's certificate.
 */
final class RawHttps {

  record Answer(int status, String response, String cipherSuite, X509Certificate serverCert) {
    boolean hasHeader(String name, String value) {
      return response.lines().anyMatch(l -> l.equalsIgnoreCase(name + ": " + value));
    }
  }

  private RawHttps() {}

  static Answer get(
      SSLContext client,
      InetSocketAddress server,
      String path,
      String[] protocols,
      String[] suites,
      Optional<String> authorization)
      throws IOException {
    try (SSLSocket socket =
        (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
      socket.setSoTimeout(30_000);
      if (protocols != null) {
        socket.setEnabledProtocols(protocols);
      }
      if (suites != null) {
        socket.setEnabledCipherSuites(suites);
      }
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
              + authorization.map(a -> "Authorization: " + a + "\r\n").orElse("")
              + "\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      in.transferTo(body);
      String response = body.toString(StandardCharsets.UTF_8);
      if (response.isEmpty()) {
        // TLS 1.3 sends the verdict on a client certificate after the handshake returned
        throw new IOException("connection closed without an answer");
      }
      int status = Integer.parseInt(response.substring(9, 12));
      return new Answer(
          status,
          response,
          socket.getSession().getCipherSuite(),
          (X509Certificate) socket.getSession().getPeerCertificates()[0]);
    }
  }

  static Answer get(SSLContext client, InetSocketAddress server, String path) throws IOException {
    return get(client, server, path, null, null, Optional.empty());
  }
}
