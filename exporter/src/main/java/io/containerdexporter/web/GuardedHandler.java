package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Wraps every endpoint: exact path match (the JDK server matches contexts by prefix), GET/HEAD
 * only, and no exception ever reaches the client as a stack trace: it gets a plain 500, the log
 * gets the cause once.
 */
final class GuardedHandler implements HttpHandler {

  private static final Logger LOG = Logger.getLogger(GuardedHandler.class.getName());
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private final String path;
  private final HttpHandler delegate;

  GuardedHandler(String path, HttpHandler delegate) {
    this.path = path;
    this.delegate = delegate;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      if (!exchange.getRequestURI().getPath().equals(path)) {
        Responses.text(exchange, 404, "404 page not found\n");
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        Responses.text(exchange, 405, "405 method not allowed\n");
        return;
      }
      delegate.handle(exchange);
    } catch (IOException e) {
      // The client went away mid-response; nothing to answer.
      LOG.log(Level.FINE, "writing response to " + exchange.getRemoteAddress() + " failed", e);
      exchange.close();
    } catch (RuntimeException e) {
      if (LOGGED.add(path + ":" + e.getClass().getName())) {
        LOG.log(Level.SEVERE, "handler for " + path + " failed", e);
      }
      try {
        Responses.text(exchange, 500, "500 internal server error\n");
      } catch (IOException | RuntimeException ignored) {
        exchange.close(); // headers were already sent; closing is all that is left
      }
    }
  }
}
