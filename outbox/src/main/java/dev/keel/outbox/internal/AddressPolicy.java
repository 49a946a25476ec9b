package dev.keel.outbox.internal;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which resolved addresses a webhook may never reach by default: anything that is not a public
 * unicast address. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * judged by the embedded address. Cloud metadata endpoints are refused even when an allow-list
 * range covers them.
 */
public final class AddressPolicy {
  private record Rule(Cidr range, String reason) {}

  private static final List<Rule> METADATA =
      List.of(
          rule("169.254.169.254/32", "cloud metadata endpoint"),
          rule("169.254.170.2/32", "cloud metadata endpoint (ECS)"),
          rule("100.100.100.200/32", "cloud metadata endpoint (Alibaba)"),
          rule("168.63.129.16/32", "cloud metadata endpoint (Azure)"),
          rule("fd00:ec2::254/128", "cloud metadata endpoint (AWS IPv6)"));

  private static final List<Rule> V4 =
      List.of(
          rule("0.0.0.0/8", "unspecified / this-network address"),
          rule("10.0.0.0/8", "private address (10/8)"),
          rule("100.64.0.0/10", "carrier-grade NAT address (100.64/10)"),
          rule("127.0.0.0/8", "loopback address"),
          rule("169.254.0.0/16", "link-local address"),
          rule("172.16.0.0/12", "private address (172.16/12)"),
          rule("192.0.0.0/24", "IETF protocol assignment"),
          rule("192.168.0.0/16", "private address (192.168/16)"),
          rule("198.18.0.0/15", "benchmarking network"),
          rule("224.0.0.0/4", "multicast address"),
          rule("240.0.0.0/4", "reserved / broadcast address"));

  private static final List<Rule> V6 =
      List.of(
          rule("::/128", "unspecified address"),
          rule("::1/128", "loopback address"),
          rule("fc00::/7", "unique-local (private) address"),
          rule("fe80::/10", "link-local address"),
          rule("fec0::/10", "site-local address"),
          rule("ff00::/8", "multicast address"),
          rule("100::/64", "discard-only address"),
          rule("2001::/32", "Teredo tunnel address"));

  private final List<Cidr> allowed;

  /**
   * @param allowed ranges explicitly allowed despite the rules (metadata endpoints excepted)
   */
  public AddressPolicy(List<Cidr> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  private static Rule rule(String cidr, String reason) {
    return new Rule(Cidr.parse(cidr), reason);
  }

  /** Why {@code address} is refused, or empty if it may be reached. */
  public Optional<String> refusal(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Rule r : METADATA) {
      if (r.range().contains(bytes)) {
        return Optional.of(r.reason() + " " + address.getHostAddress());
      }
    }
    for (Cidr c : allowed) {
      if (c.contains(bytes)) {
        return Optional.empty();
      }
    }
    Optional<String> reason = classify(bytes);
    return reason.map(r -> r + " " + address.getHostAddress());
  }

  private Optional<String> classify(byte[] bytes) {
    if (bytes.length == 4) {
      return match(V4, bytes);
    }
    Optional<String> v6 = match(V6, bytes);
    if (v6.isPresent()) {
      return v6;
    }
    byte[] embedded = embeddedV4(bytes);
    if (embedded != null) {
      for (Rule r : METADATA) {
        if (r.range().contains(embedded)) {
          return Optional.of(r.reason() + " (embedded in IPv6)");
        }
      }
      for (Cidr c : allowed) {
        if (c.contains(embedded)) {
          return Optional.empty();
        }
      }
      return match(V4, embedded).map(r -> r + " (embedded in IPv6)");
    }
    return Optional.empty();
  }

  private static Optional<String> match(List<Rule> rules, byte[] bytes) {
    for (Rule r : rules) {
      if (r.range().contains(bytes)) {
        return Optional.of(r.reason());
      }
    }
    return Optional.empty();
  }

  /** The IPv4 address inside an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address. */
  static byte[] embeddedV4(byte[] v6) {
    boolean firstTenZero = allZero(v6, 0, 10);
    if (firstTenZero && (v6[10] & 0xFF) == 0xFF && (v6[11] & 0xFF) == 0xFF) {
      return Arrays.copyOfRange(v6, 12, 16); // ::ffff:a.b.c.d
    }
    if (firstTenZero && v6[10] == 0 && v6[11] == 0) {
      return Arrays.copyOfRange(v6, 12, 16); // ::a.b.c.d (deprecated compatible form)
    }
    if ((v6[0] & 0xFF) == 0x00
        && (v6[1] & 0xFF) == 0x64
        && (v6[2] & 0xFF) == 0xff
        && (v6[3] & 0xFF) == 0x9b
        && allZero(v6, 4, 12)) {
      return Arrays.copyOfRange(v6, 12, 16); // 64:ff9b::a.b.c.d (NAT64)
    }
    if ((v6[0] & 0xFF) == 0x20 && (v6[1] & 0xFF) == 0x02) {
      return Arrays.copyOfRange(v6, 2, 6); // 2002:AABB:CCDD::/48 (6to4)
    }
    return null;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
