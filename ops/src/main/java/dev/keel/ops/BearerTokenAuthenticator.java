package dev.keel.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Shared-secret tokens, each naming one principal. Tokens are kept only as SHA-256 digests and
 * compared in constant time ({@link MessageDigest#isEqual}) against every configured token, so
 * neither the comparison nor the number of tokens leaks which one nearly matched.
 *
 * <pre>{@code
 * BearerTokenAuthenticator.builder()
 *     .admin("ops-team", System.getenv("KEEL_OPS_TOKEN"))
 *     .operator("acme-support", System.getenv("KEEL_ACME_TOKEN"), "acme")
 *     .build();
 * }</pre>
 */
public final class BearerTokenAuthenticator implements OpsAuthenticator {
  /** Shorter tokens are refused at build: they can be guessed. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private record Entry(byte[] digest, OpsPrincipal principal) {}

  private final List<Entry> entries;

  private BearerTokenAuthenticator(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<OpsPrincipal> authenticate(OpsRequest request) {
    String header = request.header("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return login(header.substring(7).trim());
  }

  @Override
  public Optional<OpsPrincipal> login(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(token);
    OpsPrincipal found = null;
    for (Entry e : entries) {
      // Every entry is compared, match or not, so the time taken does not say which one matched.
      if (MessageDigest.isEqual(e.digest, digest)) {
        found = e.principal;
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public boolean credentialsSentByBrowser() {
    return false;
  }

  /** Every tenant some operator token names (the backlog keeps a series for each). */
  public Set<String> tenants() {
    Set<String> all = new java.util.TreeSet<>();
    for (Entry e : entries) {
      all.addAll(e.principal.tenants());
    }
    return all;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();

    private Builder() {}

    /** A token for an administrator of every tenant. */
    public Builder admin(String name, String token) {
      return add(OpsPrincipal.admin(name), token);
    }

    /** A token for an operator of the named tenants. */
    public Builder operator(String name, String token, String... tenants) {
      return add(OpsPrincipal.operator(name, Set.of(tenants)), token);
    }

    private Builder add(OpsPrincipal principal, String token) {
      if (token == null || token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            "token of "
                + principal.name()
                + " must be at least "
                + MIN_TOKEN_LENGTH
                + " characters (it was "
                + (token == null ? "missing" : token.length() + " characters")
                + ")");
      }
      if (!names.add(principal.name())) {
        throw new IllegalArgumentException("principal " + principal.name() + " given twice");
      }
      byte[] digest = sha256(token);
      for (Entry e : entries) {
        if (MessageDigest.isEqual(e.digest, digest)) {
          throw new IllegalArgumentException(
              "principals " + e.principal.name() + " and " + principal.name() + " share a token");
        }
      }
      entries.add(new Entry(digest, principal));
      return this;
    }

    public BearerTokenAuthenticator build() {
      if (entries.isEmpty()) {
        throw new IllegalArgumentException("give at least one token (admin or operator)");
      }
      return new BearerTokenAuthenticator(entries);
    }
  }
}
