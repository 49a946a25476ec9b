package dev.keel.queue.postgres.internal;

import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import dev.keel.queue.spi.CancelRequest;
import dev.keel.queue.spi.ChangeResult;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.RedriveRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Tenant-scoped reads and the two administrative changes (cancel, re-drive) of single jobs. */
public final class JobQueries {
  private final Database db;
  private final Statements sql;
  private final String channel;
  private final boolean notify;

  public JobQueries(Database db, Statements sql, String channel, boolean notify) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
  }

  public Optional<Job> find(JobRef ref) {
    return db.autoCommit("find", c -> find(c, ref));
  }

  private Optional<Job> find(Connection c, JobRef ref) throws SQLException {
    List<Job> rows =
        SqlCall.on(c, sql.find)
            .bind("tenant", ref.tenant())
            .bind("id", ref.id())
            .query(JobRowMapper.INSTANCE);
    return rows.stream().findFirst();
  }

  public JobPage list(JobQuery query) {
    List<Job> jobs =
        db.autoCommit(
            "list",
            c ->
                SqlCall.on(c, sql.list)
                    .bind("tenant", query.tenant())
                    .bind("after", query.after())
                    .bindArray(
                        "states", "text", query.states().stream().map(JobStates::toColumn).toList())
                    .bind("type", query.type())
                    .bind("queue", query.queue())
                    .bind("limit", query.limit())
                    .query(JobRowMapper.INSTANCE));
    return JobPage.of(jobs, query.limit());
  }

  public ChangeResult cancel(CancelRequest request) {
    return db.inTransaction(
        "cancel",
        c -> {
          List<Job> changed =
              SqlCall.on(c, sql.cancel)
                  .bind("tenant", request.job().tenant())
                  .bind("id", request.job().id())
                  .bind("reason", request.reason())
                  .query(JobRowMapper.INSTANCE);
          return changedOrCurrent(c, request.job(), changed);
        });
  }

  public ChangeResult redrive(RedriveRequest request) {
    return db.inTransaction(
        "redrive",
        c -> {
          List<Job> changed =
              SqlCall.on(c, sql.redrive)
                  .bind("tenant", request.job().tenant())
                  .bind("id", request.job().id())
                  .bind("channel", channel)
                  .bind("notify", notify)
                  .query(JobRowMapper.INSTANCE);
          return changedOrCurrent(c, request.job(), changed);
        });
  }

  private ChangeResult changedOrCurrent(Connection c, JobRef ref, List<Job> changed)
      throws SQLException {
    if (!changed.isEmpty()) {
      return new ChangeResult(Optional.of(changed.get(0)), true);
    }
    return new ChangeResult(find(c, ref), false);
  }
}
