package dev.keel.queue.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * Store a new {@link AlertState#OPEN} alert for {@code rule} and {@code subject}, unless one that
 * is not RESOLVED exists for them: then return that one unchanged. Atomic under any concurrency,
 * also between nodes: two callers racing for one rule and subject get one alert between them.
 *
 * @param id the new alert's id (time-ordered, from the caller); unused when one exists
 * @param tenant null for an alert about the whole backend
 * @param body JSON text stored as given
 */
public record AlertOpenRequest(UUID id, String rule, String subject, String tenant, String body) {
  public AlertOpenRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(body, "body");
  }
}
