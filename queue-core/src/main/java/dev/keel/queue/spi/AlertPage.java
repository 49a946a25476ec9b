package dev.keel.queue.spi;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** One page of alerts; {@code next} is set when the page is full (there may be more). */
public record AlertPage(List<StoredAlert> alerts, Optional<UUID> next) {
  public AlertPage {
    alerts = List.copyOf(alerts);
  }

  /** Builds a page from up to {@code limit} alerts; the cursor is set when the page is full. */
  public static AlertPage of(List<StoredAlert> alerts, int limit) {
    Optional<UUID> next =
        alerts.size() >= limit ? Optional.of(alerts.get(alerts.size() - 1).id()) : Optional.empty();
    return new AlertPage(alerts, next);
  }
}
