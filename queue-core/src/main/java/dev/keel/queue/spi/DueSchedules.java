package dev.keel.queue.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * @param now the backend's clock when it read the due schedules
 * @param due due schedules, earliest {@code nextFireAt} first
 * @param nextFireAt the earliest {@code nextFireAt} of the unpaused schedules that are not due, or
 *     null if there is none: the scheduler sleeps until then
 */
public record DueSchedules(Instant now, List<StoredSchedule> due, Instant nextFireAt) {
  public DueSchedules {
    Objects.requireNonNull(now, "now");
    due = List.copyOf(due);
  }
}
