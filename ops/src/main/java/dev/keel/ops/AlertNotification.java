package dev.keel.ops;

import java.util.Objects;

/**
 * What an {@link AlertSink} is told: an alert opened, opened again after its snooze ran out while
 * the condition still held, or resolved.
 */
public record AlertNotification(Kind kind, Alert alert) {
  public enum Kind {
    OPENED,
    REOPENED,
    RESOLVED
  }

  public AlertNotification {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(alert, "alert");
  }
}
