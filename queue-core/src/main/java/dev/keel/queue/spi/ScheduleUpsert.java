package dev.keel.queue.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One schedule to store: inserted if no schedule has the name; if one does, its spec and trigger
 * are replaced when the spec differs ({@code version} + 1, pause state and fire history kept), and
 * its {@code nextFireAt} is replaced only when the trigger differs too.
 *
 * @param nextFireAt the first fire time after the backend's now, computed by core from {@code
 *     trigger}; used for a new schedule and for a changed trigger
 */
public record ScheduleUpsert(String name, String spec, String trigger, Instant nextFireAt) {
  public ScheduleUpsert {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
  }
}
