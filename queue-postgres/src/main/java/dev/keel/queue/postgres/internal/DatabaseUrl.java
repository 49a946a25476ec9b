package dev.keel.queue.postgres.internal;

import dev.keel.queue.KeelConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A database URL as found in {@code KEEL_DATABASE_URL}/{@code DATABASE_URL}: either {@code
 * postgres://user:password@host:port/db?param=value} (also {@code postgresql://}) or a JDBC URL
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}. Parsed into a JDBC URL plus the
 * credentials as driver properties; {@link #masked()} is the only form that appears in messages.
 *
 * @param jdbcUrl the JDBC URL without user info
 * @param user the user, or null
 * @param password the password, or null
 * @param masked the original URL with the password replaced by {@code ***}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, String masked) {

  @Override
  public String toString() {
    return masked;
  }

  /** Driver properties carrying the credentials. */
  public Properties properties() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  /**
   * Parses {@code url}.
   *
   * @param variable the setting the URL came from, named in errors
   * @throws KeelConfigurationException if it is not a PostgreSQL URL of either form
   */
  public static DatabaseUrl parse(String url, String variable) {
    if (url == null || url.isBlank()) {
      throw new KeelConfigurationException(variable + ": a PostgreSQL URL is required");
    }
    String trimmed = url.strip();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return parseJdbc(trimmed, variable);
    }
    if (trimmed.startsWith("postgres://") || trimmed.startsWith("postgresql://")) {
      return parseUri(trimmed, variable);
    }
    throw new KeelConfigurationException(
        variable
            + ": expected postgres://user:password@host:port/database or"
            + " jdbc:postgresql://host:port/database, got "
            + maskAny(trimmed));
  }

  private static DatabaseUrl parseUri(String url, String variable) {
    String masked = maskAny(url);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The cause is dropped on purpose: its message quotes the URL with the password in clear.
      throw new KeelConfigurationException(variable + ": malformed URL " + masked);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new KeelConfigurationException(
          variable + ": URL " + masked + " has no valid host (or its port is not a number)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    if (database.isEmpty() || database.contains("/")) {
      throw new KeelConfigurationException(
          variable + ": URL " + masked + " must name one database, as in postgres://host:5432/app");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    StringBuilder jdbc =
        new StringBuilder("jdbc:postgresql://")
            .append(hostPart)
            .append(':')
            .append(uri.getPort() < 0 ? 5432 : uri.getPort())
            .append('/')
            .append(database);
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    return new DatabaseUrl(jdbc.toString(), user, password, masked);
  }

  private static DatabaseUrl parseJdbc(String url, String variable) {
    String masked = maskAny(url);
    String rest = url.substring("jdbc:postgresql:".length());
    if (!rest.startsWith("//") || rest.length() <= 2 || rest.charAt(2) == '/') {
      throw new KeelConfigurationException(
          variable
              + ": JDBC URL "
              + masked
              + " must look like jdbc:postgresql://host:port/database");
    }
    String password = null;
    int q = url.indexOf('?');
    if (q >= 0) {
      for (String pair : url.substring(q + 1).split("&")) {
        if (pair.startsWith("password=")) {
          password = decode(pair.substring("password=".length()));
        }
      }
    }
    return new DatabaseUrl(url, null, password, masked);
  }

  /** Masks a password in either URL form: user info and a {@code password=} parameter. */
  public static String maskAny(String url) {
    String masked = url.replaceAll("(://[^:/?#@]*:)[^@/?#]*@", "$1***@");
    return masked.replaceAll("([?&]password=)[^&]*", "$1***");
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new KeelConfigurationException("database URL: bad %-escape in its user or password", e);
    }
  }
}
