package dev.keel.outbox.internal;

import dev.keel.queue.KeelConfigurationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code fc00::/7}.
 *
 * @param network the range's first address bytes (4 or 16)
 * @param prefix the number of leading bits that must match
 */
public record Cidr(byte[] network, int prefix) {
  private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

  /**
   * Parses {@code a.b.c.d/n} or {@code v6::/n}; a bare address means a single address.
   *
   * @throws KeelConfigurationException if it is not an address literal with a valid prefix
   */
  public static Cidr parse(String text) {
    if (text == null) {
      throw new KeelConfigurationException("address range must not be null");
    }
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    if (!LITERAL.matcher(addr).matches()) {
      throw new KeelConfigurationException(
          "address range '" + text + "' must be an IP literal with an optional /prefix");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new KeelConfigurationException("address range '" + text + "' is not an IP literal", e);
    }
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new KeelConfigurationException("address range '" + text + "' has a bad prefix", e);
    }
    if (prefix < 0 || prefix > max) {
      throw new KeelConfigurationException(
          "address range '" + text + "' prefix must be between 0 and " + max);
    }
    return new Cidr(bytes, prefix);
  }

  /** True if {@code address} (4 or 16 bytes) lies in this range. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[full] & mask) == (network[full] & mask);
  }

  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes always make an address", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefix;
  }
}
