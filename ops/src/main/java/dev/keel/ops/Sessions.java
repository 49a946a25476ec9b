package dev.keel.ops;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard sessions, in this process's memory. A session id is 32 random bytes; the map is keyed
 * by its SHA-256 so that a lookup's timing says nothing about the ids held. Bounded: the oldest are
 * dropped past {@value #MAX_SESSIONS}.
 */
final class Sessions {
  static final int MAX_SESSIONS = 10_000;

  record Session(String id, String csrf, OpsPrincipal principal, Instant expiresAt) {}

  private final InstantSource clock;
  private final Duration lifetime;
  private final SecureRandom random;
  private final Map<String, Session> byDigest = new ConcurrentHashMap<>();
  private final byte[] csrfKey = new byte[32];

  Sessions(InstantSource clock, Duration lifetime, SecureRandom random) {
    this.clock = clock;
    this.lifetime = lifetime;
    this.random = random;
    random.nextBytes(csrfKey);
  }

  /**
   * A CSRF token for a principal signed in by the application's own means (no console session): an
   * HMAC of its name under a key of this process, so it needs no storage and cannot be forged.
   */
  String principalCsrf(OpsPrincipal p) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(csrfKey, "HmacSHA256"));
      byte[] tag =
          mac.doFinal(("csrf:" + p.name()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  boolean principalCsrfMatches(OpsPrincipal p, String sent) {
    return sent != null
        && MessageDigest.isEqual(
            BearerTokenAuthenticator.sha256(principalCsrf(p)),
            BearerTokenAuthenticator.sha256(sent));
  }

  Duration lifetime() {
    return lifetime;
  }

  Session create(OpsPrincipal principal) {
    Instant now = clock.instant();
    if (byDigest.size() >= MAX_SESSIONS) {
      byDigest.values().removeIf(s -> !s.expiresAt().isAfter(now));
      if (byDigest.size() >= MAX_SESSIONS) {
        byDigest.values().stream()
            .min(java.util.Comparator.comparing(Session::expiresAt))
            .ifPresent(s -> byDigest.remove(digest(s.id())));
      }
    }
    Session s = new Session(token(), token(), principal, now.plus(lifetime));
    byDigest.put(digest(s.id()), s);
    return s;
  }

  Optional<Session> find(String id) {
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String d = digest(id);
    Session s = byDigest.get(d);
    if (s == null) {
      return Optional.empty();
    }
    if (!s.expiresAt().isAfter(clock.instant())) {
      byDigest.remove(d);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  void remove(String id) {
    if (id != null) {
      byDigest.remove(digest(id));
    }
  }

  /** Constant-time comparison of a CSRF token a request sent with the session's. */
  static boolean csrfMatches(Session s, String sent) {
    return sent != null
        && MessageDigest.isEqual(
            BearerTokenAuthenticator.sha256(s.csrf()), BearerTokenAuthenticator.sha256(sent));
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String digest(String id) {
    return HexFormat.of().formatHex(BearerTokenAuthenticator.sha256(id));
  }
}
