package dev.keel.queue.postgres.internal;

import dev.keel.queue.DependencyFailure;
import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobLinks;
import dev.keel.queue.JobProgress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Maps a full {@code jobs} row to a {@link Job}. */
public final class JobRowMapper implements SqlCall.RowMapper<Job> {
  public static final JobRowMapper INSTANCE = new JobRowMapper();

  private JobRowMapper() {}

  @Override
  public Job map(ResultSet rs) throws SQLException {
    short percent = rs.getShort("progress_percent");
    JobProgress progress =
        rs.wasNull() ? null : new JobProgress(percent, rs.getString("progress_message"));
    String errorMessage = rs.getString("error_message");
    JobError lastError =
        errorMessage == null ? null : new JobError(errorMessage, rs.getString("error_stack"));
    long timeoutMs = rs.getLong("timeout_ms");
    Duration timeout = rs.wasNull() ? null : Duration.ofMillis(timeoutMs);
    int concurrencyLimit = rs.getInt("concurrency_limit");
    Instant createdAt = instant(rs, "created_at");
    Instant runAt = instant(rs, "run_at");
    if (runAt.equals(OffsetDateTime.MAX.toInstant())) {
      runAt = createdAt; // 'infinity': blocked, or ended while blocked (V008)
    }
    return new Job(
        rs.getObject("id", UUID.class),
        rs.getString("type"),
        rs.getString("queue"),
        rs.getString("tenant"),
        rs.getString("payload"),
        rs.getShort("priority"),
        JobStates.fromColumn(rs.getString("state")),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        runAt,
        createdAt,
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getString("lease_owner"),
        rs.getString("lease_token"),
        instant(rs, "lease_expires_at"),
        instant(rs, "heartbeat_at"),
        progress,
        lastError,
        rs.getString("idempotency_key"),
        rs.getString("traceparent"),
        MetadataJson.read(rs.getString("metadata")),
        timeout,
        rs.getString("concurrency_key"),
        concurrencyLimit,
        links(rs));
  }

  private static JobLinks links(ResultSet rs) throws SQLException {
    UUID batchId = rs.getObject("batch_id", UUID.class);
    java.sql.Array deps = rs.getArray("depends_on");
    UUID callbackOf = rs.getObject("callback_of", UUID.class);
    if (batchId == null && deps == null && callbackOf == null) {
      return JobLinks.NONE;
    }
    List<UUID> dependsOn = deps == null ? List.of() : List.of((UUID[]) deps.getArray());
    String failure = rs.getString("dependency_failure");
    return new JobLinks(
        batchId,
        dependsOn,
        "fail".equals(failure) ? DependencyFailure.FAIL : DependencyFailure.CANCEL,
        callbackOf,
        rs.getBoolean("callback_on_success"),
        rs.getBoolean("blocked"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
