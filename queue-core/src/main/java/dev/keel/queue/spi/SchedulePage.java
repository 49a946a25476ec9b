package dev.keel.queue.spi;

import java.util.List;

/**
 * A page of schedules in name order.
 *
 * @param nextAfterName the name to pass as {@code afterName} for the next page, or null if this is
 *     the last page
 */
public record SchedulePage(List<StoredSchedule> schedules, String nextAfterName) {
  public SchedulePage {
    schedules = List.copyOf(schedules);
  }
}
