package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An alert as a backend stores it. The backend indexes the columns; {@code body} is JSON text that
 * the operations console owns (message, history, who acknowledged, snoozed until) and the backend
 * stores as given.
 *
 * @param tenant the tenant the alert is about, or null for an alert about the whole backend
 * @param openedAt when the backend stored it first (backend clock)
 * @param updatedAt when the backend last changed it (backend clock)
 * @param version 1 when created, one more on every successful update
 */
public record StoredAlert(
    UUID id,
    String rule,
    String subject,
    String tenant,
    AlertState state,
    Instant openedAt,
    Instant updatedAt,
    long version,
    String body) {
  public StoredAlert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(body, "body");
  }
}
