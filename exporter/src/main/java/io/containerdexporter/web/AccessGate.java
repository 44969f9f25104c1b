package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.containerdexporter.web.WebMetrics.Rejection;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * What stands between a request and an endpoint, in exporter-toolkit's order: the configured
 * security headers (on every answer, refusals too), the rate limit (429), basic auth (401 with
 * {@code WWW-Authenticate}), then for scrapes the concurrency limit (503, at once rather than
 * queued). The health endpoints can be let through the first two for probes.
 */
final class AccessGate {

  private final Supplier<WebPolicy> policy;
  private final boolean healthSkipAuth;
  private final Semaphore scrapes; // null: no limit
  private final WebMetrics metrics;

  AccessGate(
      Supplier<WebPolicy> policy, boolean healthSkipAuth, int maxRequests, WebMetrics metrics) {
    this.policy = policy;
    this.healthSkipAuth = healthSkipAuth;
    this.scrapes = maxRequests > 0 ? new Semaphore(maxRequests) : null;
    this.metrics = metrics;
  }

  /** The handler of an ordinary endpoint. */
  HttpHandler guard(HttpHandler endpoint) {
    return exchange -> {
      if (admitted(exchange, false)) {
        endpoint.handle(exchange);
      }
    };
  }

  /** The handler of a health endpoint. */
  HttpHandler guardHealth(HttpHandler endpoint) {
    return exchange -> {
      if (admitted(exchange, healthSkipAuth)) {
        endpoint.handle(exchange);
      }
    };
  }

  /** The handler of the telemetry path: also bounded in concurrency. */
  HttpHandler guardScrape(HttpHandler endpoint) {
    return exchange -> {
      if (!admitted(exchange, false)) {
        return;
      }
      if (scrapes != null && !scrapes.tryAcquire()) {
        metrics.count(Rejection.MAX_REQUESTS);
        Responses.text(exchange, 503, "503 too many concurrent scrapes\n");
        return;
      }
      try {
        endpoint.handle(exchange);
      } finally {
        if (scrapes != null) {
          scrapes.release();
        }
      }
    };
  }

  private boolean admitted(HttpExchange exchange, boolean open) throws IOException {
    WebPolicy now = policy.get();
    for (Map.Entry<String, String> h : now.config().http().headers().entrySet()) {
      exchange.getResponseHeaders().set(h.getKey(), h.getValue());
    }
    if (open) {
      return true;
    }
    if (now.rateLimit().isPresent() && !now.rateLimit().get().tryTake()) {
      metrics.count(Rejection.RATE_LIMIT);
      Responses.text(exchange, 429, "429 too many requests\n");
      return false;
    }
    if (now.auth().enabled()
        && !now.auth()
            .admits(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")))) {
      metrics.count(Rejection.UNAUTHORIZED);
      exchange.getResponseHeaders().set("WWW-Authenticate", "Basic");
      Responses.text(exchange, 401, "401 unauthorized\n");
      return false;
    }
    return true;
  }
}
