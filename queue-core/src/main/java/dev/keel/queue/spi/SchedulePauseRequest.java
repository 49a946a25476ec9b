package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Pause or resume a schedule. Pausing a paused schedule, or resuming a running one, changes
 * nothing.
 *
 * @param nextFireAtOnResume when resuming: the new {@code nextFireAt}, the first fire time after
 *     the backend's now (computed by core), so fire times that passed while paused never fire;
 *     ignored when pausing (may be null then)
 */
public record SchedulePauseRequest(String name, boolean paused, Instant nextFireAtOnResume) {
  public SchedulePauseRequest {
    Objects.requireNonNull(name, "name");
    if (!paused) {
      Objects.requireNonNull(nextFireAtOnResume, "nextFireAtOnResume");
    }
  }
}
