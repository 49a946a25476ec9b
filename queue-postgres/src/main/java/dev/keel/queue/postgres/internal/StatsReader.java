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

/**
 * Health figures: three index-served statements and one count of the table, in one transaction (so
 * on one {@code now()}).
 */
public final class StatsReader {
  private final Database db;
  private final Statements sql;

  public StatsReader(Database db, Statements sql) {
    this.db = db;
    this.sql = sql;
  }

  private record Figures(Instant measuredAt, long stuck, long failed, Long oldestDueMillis) {}

  private record Count(String type, String queue, JobState state, long n) {}

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
          Map<String, Map<JobState, Long>> byQueue = new HashMap<>();
          for (Count count :
              SqlCall.on(c, sql.statsCounts)
                  .bind("tenant", request.tenant())
                  .query(
                      rs ->
                          new Count(
                              rs.getString("type"),
                              rs.getString("queue"),
                              JobStates.fromColumn(rs.getString("state")),
                              rs.getLong("n")))) {
            byState.merge(count.state(), count.n(), Long::sum);
            add(byType, count.type(), count.state(), count.n());
            add(byQueue, count.queue(), count.state(), count.n());
          }
          Map<String, Map<JobState, Long>> finished = new HashMap<>();
          for (Count count :
              SqlCall.on(c, sql.statsFinished)
                  .bind("tenant", request.tenant())
                  .bind("windowMillis", request.failedWindow().toMillis())
                  .query(
                      rs ->
                          new Count(
                              rs.getString("type"),
                              null,
                              JobStates.fromColumn(rs.getString("state")),
                              rs.getLong("n")))) {
            add(finished, count.type(), count.state(), count.n());
          }
          return new BackendStats(
              f.measuredAt(),
              byState,
              byType,
              f.stuck(),
              f.failed(),
              Optional.ofNullable(f.oldestDueMillis()).map(Duration::ofMillis),
              byQueue,
              finished);
        });
  }

  private static void add(
      Map<String, Map<JobState, Long>> counts, String key, JobState state, long n) {
    counts.computeIfAbsent(key, k -> new EnumMap<>(JobState.class)).merge(state, n, Long::sum);
  }
}
