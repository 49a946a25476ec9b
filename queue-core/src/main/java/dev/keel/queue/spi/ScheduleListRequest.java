package dev.keel.queue.spi;

/**
 * One page of stored schedules in name order (by code point).
 *
 * @param afterName exclusive start, or null for the first page
 * @param limit 1 to 1000
 */
public record ScheduleListRequest(String afterName, int limit) {
  public ScheduleListRequest {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
    }
  }
}
