package dev.keel.queue.redis.internal;

import dev.keel.queue.KeelConfigurationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.HostAndPort;

/**
 * A parsed Redis URL: {@code redis[s]://[[user]:password@]host[:port][,host[:port]...][/db]
 * [?cluster=true|false&timeout=ms&verify=full|ca]}. Several hosts mean a cluster; {@code cluster}
 * forces the choice, otherwise a single host is asked whether it runs in cluster mode. {@code
 * verify} (rediss:// only): {@code full}, the default, checks the certificate chain and that the
 * certificate names the host; {@code ca} checks the chain only.
 *
 * @param source the variable or option the URL came from, for error messages
 * @param verifyHostName rediss:// only: whether the certificate must name the host
 */
public record RedisUrl(
    String source,
    boolean tls,
    String user,
    String password,
    List<HostAndPort> hosts,
    int database,
    Optional<Boolean> cluster,
    int timeoutMillis,
    boolean verifyHostName) {

  public static final int DEFAULT_PORT = 6379;
  public static final int DEFAULT_TIMEOUT_MILLIS = 2_000;

  public RedisUrl {
    hosts = List.copyOf(hosts);
  }

  /** Parses {@code url}; every problem is a {@link KeelConfigurationException} naming source. */
  public static RedisUrl parse(String url, String source) {
    if (url == null || url.isBlank()) {
      throw new KeelConfigurationException(
          source + " must be a redis:// or rediss:// URL, was empty");
    }
    int schemeEnd = url.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase();
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw invalid(source, url, "the scheme must be redis:// or rediss://");
    }
    String rest = url.substring(schemeEnd + 3);
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String path = "";
    int at = rest.lastIndexOf('@');
    int slash = rest.indexOf('/', Math.max(at, 0));
    if (slash >= 0) {
      path = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    String user = null;
    String password = null;
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        // redis://secret@host: the legacy password-only form
        password = decode(userInfo, "password", source, url);
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon), "user", source, url);
        password = decode(userInfo.substring(colon + 1), "password", source, url);
      }
      if (password != null && password.isEmpty()) {
        password = null;
      }
    }
    List<HostAndPort> hosts = parseHosts(rest, source, url);
    int database = parseDatabase(path, source, url);
    Optional<Boolean> cluster = Optional.empty();
    int timeout = DEFAULT_TIMEOUT_MILLIS;
    boolean verifyHostName = true;
    if (!query.isEmpty()) {
      for (String param : query.split("&")) {
        String[] kv = param.split("=", 2);
        String value = kv.length == 2 ? kv[1] : "";
        switch (kv[0]) {
          case "cluster" -> {
            if (!value.equals("true") && !value.equals("false")) {
              throw invalid(source, url, "cluster must be true or false, was '" + value + "'");
            }
            cluster = Optional.of(Boolean.parseBoolean(value));
          }
          case "timeout" -> timeout = parsePositive(value, "timeout", source, url);
          case "verify" -> {
            if (!value.equals("full") && !value.equals("ca")) {
              throw invalid(source, url, "verify must be full or ca, was '" + value + "'");
            }
            verifyHostName = value.equals("full");
          }
          default ->
              throw invalid(
                  source,
                  url,
                  "unknown parameter '" + kv[0] + "' (allowed: cluster, timeout, verify)");
        }
      }
    }
    if (hosts.size() > 1 && cluster.equals(Optional.of(false))) {
      throw invalid(source, url, "several hosts are only allowed for a cluster");
    }
    if (database != 0 && (hosts.size() > 1 || cluster.equals(Optional.of(true)))) {
      throw invalid(source, url, "Redis Cluster has only database 0, the URL names " + database);
    }
    boolean tls = scheme.equals("rediss");
    if (!tls && !verifyHostName) {
      throw invalid(source, url, "verify applies to rediss:// (TLS) only");
    }
    return new RedisUrl(
        source, tls, user, password, hosts, database, cluster, timeout, verifyHostName);
  }

  /** The URL with the password replaced by {@code ****}, safe for messages and logs. */
  public String masked() {
    StringBuilder s = new StringBuilder(tls ? "rediss://" : "redis://");
    if (user != null || password != null) {
      if (user != null) {
        s.append(user);
      }
      if (password != null) {
        s.append(":****");
      }
      s.append('@');
    }
    for (int i = 0; i < hosts.size(); i++) {
      if (i > 0) {
        s.append(',');
      }
      s.append(hosts.get(i).getHost()).append(':').append(hosts.get(i).getPort());
    }
    return s.append('/').append(database).toString();
  }

  @Override
  public String toString() {
    return masked();
  }

  private static List<HostAndPort> parseHosts(String hostList, String source, String url) {
    if (hostList.isEmpty()) {
      throw invalid(source, url, "no host given");
    }
    List<HostAndPort> hosts = new ArrayList<>();
    for (String hostPort : hostList.split(",")) {
      String host;
      String port = null;
      if (hostPort.startsWith("[")) {
        int close = hostPort.indexOf(']');
        if (close < 0) {
          throw invalid(source, url, "unclosed IPv6 address '" + hostPort + "'");
        }
        host = hostPort.substring(1, close);
        if (hostPort.length() > close + 1) {
          if (hostPort.charAt(close + 1) != ':') {
            throw invalid(source, url, "bad host '" + hostPort + "'");
          }
          port = hostPort.substring(close + 2);
        }
      } else {
        int colon = hostPort.lastIndexOf(':');
        host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        port = colon < 0 ? null : hostPort.substring(colon + 1);
      }
      if (host.isEmpty()) {
        throw invalid(source, url, "empty host in '" + hostList + "'");
      }
      int p = port == null ? DEFAULT_PORT : parsePositive(port, "port", source, url);
      if (p > 65_535) {
        throw invalid(source, url, "port must be at most 65535, was " + p);
      }
      hosts.add(new HostAndPort(host, p));
    }
    return hosts;
  }

  private static int parseDatabase(String path, String source, String url) {
    if (path.isEmpty()) {
      return 0;
    }
    try {
      int db = Integer.parseInt(path);
      if (db < 0) {
        throw invalid(source, url, "the database number must not be negative, was " + db);
      }
      return db;
    } catch (NumberFormatException e) {
      throw new KeelConfigurationException(
          source
              + ": the path of "
              + maskedRaw(url)
              + " must be a database number, was '"
              + path
              + "'",
          e);
    }
  }

  private static int parsePositive(String value, String what, String source, String url) {
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw invalid(source, url, what + " must be positive, was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new KeelConfigurationException(
          source + ": " + what + " in " + maskedRaw(url) + " must be a number, was '" + value + "'",
          e);
    }
  }

  /**
   * Percent-decodes the user or password. A '%' that does not start an escape is refused rather
   * than taken literally: "p%41ss" must mean "pAss", so a literal '%' can only be written as %25.
   */
  private static String decode(String s, String field, String source, String url) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new KeelConfigurationException(
          source
              + " is not a valid Redis URL ("
              + maskedRaw(url)
              + "): the "
              + field
              + " has a '%' that is not followed by two hex digits; write a literal '%' as %25",
          e);
    }
  }

  private static KeelConfigurationException invalid(String source, String url, String rule) {
    return new KeelConfigurationException(
        source
            + " is not a valid Redis URL ("
            + maskedRaw(url)
            + "): "
            + rule
            + ". Expected redis[s]://[[user]:password@]host[:port][/database]");
  }

  /** Masks the user-info password of a URL that may not parse. */
  static String maskedRaw(String url) {
    int schemeEnd = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (schemeEnd < 0 || at < schemeEnd) {
      return url;
    }
    String userInfo = url.substring(schemeEnd + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? "" : userInfo.substring(0, colon);
    return url.substring(0, schemeEnd + 3) + user + ":****" + url.substring(at);
  }
}
