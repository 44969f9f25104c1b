package io.containerdexporter.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code /api/v1/top}: the node page's data as JSON, for scripts. */
final class TopApi implements HttpHandler {

  private static final Logger LOG = Logger.getLogger(TopApi.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<TopData> top;

  TopApi(Supplier<TopData> top) {
    this.top = top;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String body;
    try {
      body = JSON.writeValueAsString(top.get()) + "\n";
    } catch (JsonProcessingException e) {
      LOG.log(Level.WARNING, "encoding /api/v1/top failed", e);
      Responses.text(exchange, 500, "Internal error\n");
      return;
    }
    Responses.send(exchange, 200, "application/json", body);
  }
}
