package io.containerdexporter.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * {@code basic_auth_users}, checked as exporter-toolkit checks them: an unknown user is compared
 * against a dummy hash of the same cost (a wrong user name takes as long as a wrong password), one
 * bcrypt at a time (a flood of guesses can't take every CPU), and results cached so a scraper
 * presenting the same credentials every 15 s pays bcrypt once.
 *
 * <p>The cache key is a SHA-256 over the length-prefixed user, hash and password, so no two
 * different triples share a key: CVE-2022-46146 was a cache key built by concatenation, where a
 * crafted user name made a wrong password hit a cached success. The key never holds the password
 * itself, and the cache is part of this object, which a reloaded config replaces.
 */
final class BasicAuth {

  static final int CACHE_SIZE = 100;
  private static final int MAX_DUMMY_COST = 12;

  private final Map<String, String> users;
  private final String dummyHash;
  private final ReentrantLock bcrypt = new ReentrantLock();
  private final Map<String, Boolean> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  BasicAuth(Map<String, String> users) {
    this.users = Map.copyOf(users);
    this.dummyHash = dummyHash(users);
  }

  boolean enabled() {
    return !users.isEmpty();
  }

  /** Whether the {@code Authorization} header names a configured user with the right password. */
  boolean admits(Optional<String> authorization) {
    Optional<String[]> credentials = authorization.flatMap(BasicAuth::decode);
    if (credentials.isEmpty()) {
      return false;
    }
    String user = credentials.get()[0];
    String password = credentials.get()[1];
    String hash = users.get(user);
    boolean known = hash != null;
    String compared = known ? hash : dummyHash;
    String key = cacheKey(user, compared, password);
    Boolean cached;
    synchronized (cache) {
      cached = cache.get(key);
    }
    if (cached == null) {
      boolean ok;
      bcrypt.lock();
      try {
        ok = checkPassword(compared, password);
      } finally {
        bcrypt.unlock();
      }
      cached = ok && known;
      synchronized (cache) {
        cache.put(key, cached);
      }
    }
    return cached && known;
  }

  /** The cost of the hash unknown users are checked against. */
  int dummyCost() {
    return cost(dummyHash);
  }

  private static int cost(String hash) {
    return Integer.parseInt(hash.substring(hash.lastIndexOf('$') - 2, hash.lastIndexOf('$')));
  }

  int cachedEntries() {
    synchronized (cache) {
      return cache.size();
    }
  }

  private static boolean checkPassword(String hash, String password) {
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException e) {
      return false; // validated at load; a password over bcrypt's 72 bytes lands here
    }
  }

  /** {@code Basic base64(user:password)}; the password may contain colons, the user may not. */
  static Optional<String[]> decode(String header) {
    if (header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0
        ? Optional.empty()
        : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
  }

  static String cacheKey(String user, String hash, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {user, hash, password}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * A hash of a random password at the cost the configured users have (capped, as generating it
   * costs one bcrypt at load), so an unknown user costs what a known one does.
   */
  private static String dummyHash(Map<String, String> users) {
    int cost =
        users.values().stream()
            .mapToInt(
                h -> Integer.parseInt(h.substring(h.lastIndexOf('$') - 2, h.lastIndexOf('$'))))
            .max()
            .orElse(10);
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    char[] password = HexFormat.of().formatHex(salt).toCharArray();
    random.nextBytes(salt);
    return OpenBSDBCrypt.generate(
        "2y", password, salt, Math.min(Math.max(cost, 4), MAX_DUMMY_COST));
  }
}
