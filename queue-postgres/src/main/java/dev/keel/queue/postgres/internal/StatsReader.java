package dev.keel.queue.postgres.internal;

import dev.keel.queue.JobState;
import dev.keel.queue.spi.BackendStats;
import dev.keel.queue.spi.StatsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Health figures: two index-served statements in one transaction. */
public final class StatsReader {
  private final Database db;
  private final Statements sql;

  public StatsReader(Database db, Statements sql) {
    this.db = db;
    this.sql = sql;
  }

  private record Figures(Instant measuredAt, long stuck, long failed, Long oldestDueMillis) {}

  private record Count(String type, JobState state, long n) {}

  public BackendStats stats(StatsRequest request) {
    return db.inTransaction(
        "stats",
        c -> {
          Figures f =
              SqlCall.on(c, sql.statsFigures)
                  .bind("tenant", request.tenant())
                  .bind("windowMillis", request.failedWindow().toMillis())
                  .query(
                      rs -> {
                        long oldest = rs.getLong("oldest_due_millis");
                        Long oldestDue = rs.wasNull() ? null : oldest;
                        return new Figures(
                            JobRowMapper.instant(rs, "measured_at"),
                            rs.getLong("stuck"),
                            rs.getLong("failed_in_window"),
                            oldestDue);
                      })
                  .get(0);
          Map<JobState, Long> byState = new EnumMap<>(JobState.class);
          Map<String, Map<JobState, Long>> byType = new HashMap<>();
          for (Count count :
              SqlCall.on(c, sql.statsCounts)
                  .bind("tenant", request.tenant())
                  .query(
                      rs ->
                          new Count(
                              rs.getString("type"),
                              JobStates.fromColumn(rs.getString("state")),
                              rs.getLong("n")))) {
            byState.merge(count.state(), count.n(), Long::sum);
            byType
                .computeIfAbsent(count.type(), t -> new EnumMap<>(JobState.class))
                .put(count.state(), count.n());
          }
          Map<String, Map<JobState, Long>> frozen = new HashMap<>();
          byType.forEach((type, states) -> frozen.put(type, Map.copyOf(states)));
          return new BackendStats(
              f.measuredAt(),
              byState,
              frozen,
              f.stuck(),
              f.failed(),
              Optional.ofNullable(f.oldestDueMillis()).map(Duration::ofMillis));
        });
  }
}
