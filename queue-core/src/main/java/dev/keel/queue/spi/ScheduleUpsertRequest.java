package dev.keel.queue.spi;

import java.util.List;
import java.util.Objects;

/**
 * Store several schedules in one atomic call (see {@link ScheduleUpsert} for each).
 *
 * @param removeOthers also delete every stored schedule whose name is not in {@code schedules}
 *     ("prune undeclared")
 */
public record ScheduleUpsertRequest(List<ScheduleUpsert> schedules, boolean removeOthers) {
  public ScheduleUpsertRequest {
    schedules = List.copyOf(Objects.requireNonNull(schedules, "schedules"));
  }
}
