package dev.keel.ops;

import java.util.Optional;

/**
 * Finds the principal behind a request. The console asks it on every route but the health routes;
 * an empty answer is 401. Implementations must not log or echo credentials.
 *
 * <p>The built-in {@link BearerTokenAuthenticator} reads {@code Authorization: Bearer}. An
 * application with its own sign-in (a proxy header, its own session) implements {@link
 * #authenticate} and says whether a browser sends those credentials by itself ({@link
 * #credentialsSentByBrowser()}): then every POST also needs the console's CSRF token.
 */
public interface OpsAuthenticator {
  /** The principal whose credentials the request carries, if any. */
  Optional<OpsPrincipal> authenticate(OpsRequest request);

  /**
   * The principal for a token typed into the dashboard's login form, if any; the console then keeps
   * a session for the browser. The default refuses every token (no form login).
   */
  default Optional<OpsPrincipal> login(String token) {
    return Optional.empty();
  }

  /**
   * True if browsers attach the credentials {@link #authenticate} reads without the page asking
   * (cookies, ambient proxy sign-in): POSTs then need the CSRF token. False for bearer tokens.
   */
  default boolean credentialsSentByBrowser() {
    return true;
  }
}
