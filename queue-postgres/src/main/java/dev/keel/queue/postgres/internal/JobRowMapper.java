package dev.keel.queue.postgres.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobError;
import dev.keel.queue.JobProgress;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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
        instant(rs, "run_at"),
        instant(rs, "created_at"),
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
        concurrencyLimit);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
