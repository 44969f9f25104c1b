package io.containerdexporter.web;

import io.containerdexporter.config.WebConfig;
import java.util.Optional;

/**
 * The web config in force, ready to use: TLS material loaded, the basic-auth checker with its own
 * cache, the rate limiter. Immutable once built; a reload builds a new one and swaps it in whole.
 */
record WebPolicy(
    WebConfig config, Optional<TlsMaterial> tls, BasicAuth auth, Optional<TokenBucket> rateLimit) {

  static WebPolicy of(WebConfig config, Optional<TlsMaterial> tls) {
    return new WebPolicy(
        config,
        tls,
        new BasicAuth(config.users()),
        config.rateLimit().map(r -> new TokenBucket(r.interval(), r.burst(), System::nanoTime)));
  }

  static WebPolicy open() {
    return of(WebConfig.empty(), Optional.empty());
  }
}
