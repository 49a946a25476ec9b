package dev.keel.outbox.internal;

import dev.keel.outbox.UnsafeTargetException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a webhook may connect to a URI: the scheme, the spelling of the host, and every
 * address the host resolves to (see {@link AddressPolicy}).
 *
 * <p>Numeric hosts must be canonical dotted quads: {@code 127.1}, {@code 2130706433}, {@code
 * 0x7f000001} and {@code 0177.0.0.1} are refused outright, because resolvers disagree on what they
 * mean (octal, hex, shortened forms) and a check must not rely on reading them like the connector
 * does.
 */
public final class TargetGuard {
  private static final Pattern CANONICAL_V4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("\\d+|0x[0-9a-f]*");
  private static final Set<String> METADATA_NAMES =
      Set.of(
          "metadata.google.internal",
          "metadata.goog",
          "metadata",
          "instance-data",
          "instance-data.ec2.internal",
          "metadata.azure.internal");

  private final AddressPolicy policy;
  private final HostResolver resolver;

  public TargetGuard(AddressPolicy policy, HostResolver resolver) {
    this.policy = policy;
    this.resolver = resolver;
  }

  /** Checks only what needs no DNS: scheme and host spelling. */
  public void checkSyntax(URI uri) {
    host(uri);
  }

  /**
   * Checks {@code uri} and every address its host resolves to.
   *
   * @return the checked addresses
   * @throws UnsafeTargetException naming the reason, before any connection
   */
  public List<InetAddress> check(URI uri) {
    String host = host(uri);
    List<InetAddress> addresses;
    try {
      // Literals are parsed, never looked up, whatever resolver is configured.
      addresses =
          host.contains(":") || CANONICAL_V4.matcher(host).matches()
              ? List.of(InetAddress.getByName(host))
              : resolver.resolve(host);
    } catch (UnknownHostException e) {
      throw new UnsafeTargetException(uri, "host '" + host + "' does not resolve");
    }
    if (addresses.isEmpty()) {
      throw new UnsafeTargetException(uri, "host '" + host + "' resolves to no address");
    }
    // Every address must pass: the connector may pick any of them.
    for (InetAddress a : addresses) {
      Optional<String> refusal = policy.refusal(a);
      if (refusal.isPresent()) {
        throw new UnsafeTargetException(uri, refusal.get() + " (host '" + host + "')");
      }
    }
    return addresses;
  }

  /** The host to resolve: scheme checked, spelling checked, brackets and trailing dot removed. */
  private static String host(URI uri) {
    if (uri == null) {
      throw new UnsafeTargetException(null, "no URI");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new UnsafeTargetException(uri, "scheme must be http or https, was '" + scheme + "'");
    }
    String raw = uri.getHost();
    if (raw == null || raw.isEmpty()) {
      // java.net.URI leaves the host null for names it cannot parse as a host, such as 127.1.
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
      String named = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":\\d*$", "");
      throw new UnsafeTargetException(
          uri,
          named.matches("[0-9a-fA-FxX.]+")
              ? "ambiguous numeric host '"
                  + named
                  + "': only canonical dotted-quad IPv4 literals"
                  + " are accepted"
              : "no valid host");
    }
    String host = raw.toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      if (host.contains("%")) {
        throw new UnsafeTargetException(uri, "IPv6 zone ids are not allowed");
      }
      return host.substring(1, host.length() - 1);
    }
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw new UnsafeTargetException(uri, "no valid host");
    }
    if (METADATA_NAMES.contains(host)) {
      throw new UnsafeTargetException(uri, "cloud metadata host name '" + host + "'");
    }
    String last = host.substring(host.lastIndexOf('.') + 1);
    if (NUMERIC_LABEL.matcher(last).matches() && !CANONICAL_V4.matcher(host).matches()) {
      throw new UnsafeTargetException(
          uri,
          "ambiguous numeric host '"
              + host
              + "': only canonical dotted-quad IPv4 literals (a.b.c.d, decimal, no leading zeros)"
              + " are accepted");
    }
    return host;
  }
}
