package dev.keel.queue.spi;

import java.util.Objects;
import java.util.UUID;

/**
 * Set an alert's state and body if its version is still {@code expectedVersion} (compare and set):
 * the version goes up by one and {@code updatedAt} becomes backend now. A RESOLVED alert is never
 * changed again, and leaving RESOLVED is refused ({@code changed = false}); once RESOLVED, a new
 * alert may be opened for the same rule and subject.
 */
public record AlertUpdateRequest(UUID id, long expectedVersion, AlertState state, String body) {
  public AlertUpdateRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(body, "body");
  }
}
