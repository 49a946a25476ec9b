package dev.keel.queue.spi;

import java.util.List;

/** What an upsert did, by schedule name, each list in request order (removed: in name order). */
public record ScheduleUpsertResult(
    List<String> created, List<String> updated, List<String> unchanged, List<String> removed) {
  public ScheduleUpsertResult {
    created = List.copyOf(created);
    updated = List.copyOf(updated);
    unchanged = List.copyOf(unchanged);
    removed = List.copyOf(removed);
  }
}
