package dev.keel.queue.spi;

import java.util.Objects;

/** The alert that is now active for the rule and subject, and whether this call created it. */
public record AlertOpenResult(StoredAlert alert, boolean created) {
  public AlertOpenResult {
    Objects.requireNonNull(alert, "alert");
  }
}
