package dev.keel.queue.recurring;

import java.util.List;

/**
 * A page of schedules in name order.
 *
 * @param nextAfterName pass it as {@code afterName} for the next page; null on the last page
 */
public record ScheduleInfoPage(List<ScheduleInfo> schedules, String nextAfterName) {
  public ScheduleInfoPage {
    schedules = List.copyOf(schedules);
  }
}
