package dev.keel.queue.spi;

import java.util.Optional;

/**
 * The result of a pause, resume or removal: the schedule as it is after the call (empty if there is
 * no such schedule, or it was removed) and whether this call changed anything.
 */
public record ScheduleChangeResult(
    boolean found, boolean changed, Optional<StoredSchedule> schedule) {
  public static ScheduleChangeResult notFound() {
    return new ScheduleChangeResult(false, false, Optional.empty());
  }
}
