package dev.keel.outbox;

import dev.keel.queue.KeelException;
import java.net.URI;

/**
 * A webhook target (or a redirect's target) was refused before any connection: not http(s), an
 * ambiguous numeric host, a cloud metadata name, a name that does not resolve, or an address that
 * is loopback, private, link-local, multicast, unspecified, CGNAT or a metadata endpoint and not
 * explicitly allowed.
 */
public class UnsafeTargetException extends KeelException {
  private final String target;
  private final String reason;

  public UnsafeTargetException(URI target, String reason) {
    super("webhook target " + target + " refused: " + reason);
    this.target = String.valueOf(target);
    this.reason = reason;
  }

  /** The refused URI, as text. */
  public String target() {
    return target;
  }

  /** Why, in words (e.g. {@code "loopback address 127.0.0.1"}). */
  public String reason() {
    return reason;
  }
}
