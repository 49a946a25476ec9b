package dev.keel.queue.postgres.internal;

import dev.keel.queue.Job;
import dev.keel.queue.spi.ClaimRequest;
import dev.keel.queue.spi.ClaimResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Claims jobs with the single statement in {@code claim_jobs.sql}. */
public final class Claimer {
  /** UPDATE ... RETURNING gives no order; the SPI promises (priority, run_at, id). */
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority).thenComparing(Job::runAt).thenComparing(Job::id);

  private final Database db;
  private final Statements sql;
  private final String commitMode;

  /**
   * @param commitMode the {@code synchronous_commit} of claim transactions, or null for the
   *     session's own
   */
  public Claimer(Database db, Statements sql, String commitMode) {
    this.db = db;
    this.sql = sql;
    this.commitMode = commitMode;
  }

  public ClaimResponse claim(ClaimRequest request) {
    List<Job> jobs =
        db.autoCommit(
            "claim",
            c ->
                SqlCall.on(c, sql.claim)
                    .bind("owner", request.workerId())
                    .bind("leaseMillis", request.leaseDuration().toMillis())
                    .bindArray("queues", "text", new ArrayList<>(request.queues()))
                    .bindArray("includeTypes", "text", new ArrayList<>(request.includeTypes()))
                    .bindArray("excludeTypes", "text", new ArrayList<>(request.excludeTypes()))
                    .bind("tenant", request.tenant())
                    .bind("limit", request.limit())
                    .bind("commitMode", commitMode)
                    .query(JobRowMapper.INSTANCE));
    List<Job> ordered = new ArrayList<>(jobs);
    ordered.sort(CLAIM_ORDER);
    return new ClaimResponse(ordered);
  }
}
