package dev.keel.queue.spi;

/**
 * The unpaused schedules whose {@code nextFireAt} is at or before the backend's now, earliest
 * first, at most {@code limit} (1 to 1000). Served from an index on {@code nextFireAt}: the cost
 * grows with the number of due schedules, not with the number stored.
 */
public record DueSchedulesRequest(int limit) {
  public DueSchedulesRequest {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, got " + limit);
    }
  }
}
