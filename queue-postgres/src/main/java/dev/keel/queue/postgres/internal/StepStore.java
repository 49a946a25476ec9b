package dev.keel.queue.postgres.internal;

import dev.keel.queue.JobState;
import dev.keel.queue.spi.FencedResult;
import dev.keel.queue.spi.JobRef;
import dev.keel.queue.spi.JobSteps;
import dev.keel.queue.spi.SignalRequest;
import dev.keel.queue.spi.SignalResult;
import dev.keel.queue.spi.StepWrite;
import dev.keel.queue.spi.StepWriteRequest;
import dev.keel.queue.spi.StepWriteResult;
import dev.keel.queue.spi.StoredSignal;
import dev.keel.queue.spi.StoredStep;
import dev.keel.queue.spi.SuspendRequest;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Durable steps and signals on PostgreSQL (migration V009): step records in {@code job_steps},
 * signals in {@code job_signals}, both keyed by job id and always reached through the job's row
 * (tenant and id, or id and lease token), so another tenant never sees them. Every call locks that
 * row first; a signal and a suspend of one job are therefore serialized, which is what keeps a
 * signal from being missed (see {@code suspend_lock.sql}).
 *
 * <p>Round trips: saveSteps, loadSteps and signal are one auto-committed statement each; suspend is
 * a transaction of two statements (lock, then apply), three round trips with the commit, two when
 * the lease was lost.
 *
 * <p>saveSteps and suspend are the worker's own changes and commit with the worker commit mode (see
 * {@code PostgresBackend.Builder#asynchronousWorkerCommits}): a step record lost in a server crash
 * makes the step run again, as a worker crash after the step would. Signals are client changes and
 * keep the session's setting.
 */
public final class StepStore {
  private final Database db;
  private final Statements sql;
  private final String channel;
  private final boolean notify;
  private final String commitMode;

  /**
   * @param commitMode the {@code synchronous_commit} of the worker's step writes and suspends, or
   *     null for the session's own
   */
  public StepStore(Database db, Statements sql, String channel, boolean notify, String commitMode) {
    this.db = db;
    this.sql = sql;
    this.channel = channel;
    this.notify = notify;
    this.commitMode = commitMode;
  }

  public StepWriteResult save(StepWriteRequest request) {
    // One row per name (the last write of a name wins), since an upsert cannot change a row twice.
    Map<String, StepWrite> byName = new LinkedHashMap<>();
    for (StepWrite w : request.steps()) {
      byName.put(w.name(), w);
    }
    List<String> names = new ArrayList<>();
    List<Integer> seqs = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    for (StepWrite w : byName.values()) {
      names.add(w.name());
      seqs.add(w.seq());
      bodies.add(w.body());
    }
    List<Set<String>> rows =
        db.autoCommit(
            "saveSteps",
            c ->
                SqlCall.on(c, sql.stepsSave)
                    .bind("id", request.lease().jobId())
                    .bind("token", request.lease().token())
                    .bindArray("names", "text", names)
                    .bindArray("seqs", "int4", seqs)
                    .bindArray("bodies", "text", bodies)
                    .bind("commitMode", commitMode)
                    .query(rs -> textSet(rs.getArray("control_signals"))));
    return rows.isEmpty() ? StepWriteResult.lost() : new StepWriteResult(true, rows.get(0));
  }

  public Optional<JobSteps> load(JobRef ref) {
    return db.autoCommit(
        "loadSteps",
        c -> {
          boolean[] found = {false};
          List<StoredStep> steps = new ArrayList<>();
          List<StoredSignal> signals = new ArrayList<>();
          SqlCall.on(c, sql.stepsLoad)
              .bind("tenant", ref.tenant())
              .bind("id", ref.id())
              .query(
                  rs -> {
                    switch (rs.getInt("kind")) {
                      case 0 -> found[0] = true;
                      case 1 ->
                          steps.add(
                              new StoredStep(
                                  rs.getString("name"),
                                  rs.getInt("seq"),
                                  rs.getString("body"),
                                  rs.getObject("at", OffsetDateTime.class).toInstant()));
                      case 2 ->
                          signals.add(
                              new StoredSignal(
                                  rs.getString("name"),
                                  rs.getString("body"),
                                  rs.getObject("at", OffsetDateTime.class).toInstant()));
                      default ->
                          throw new IllegalStateException(
                              "steps_load.sql: unknown row kind " + rs.getInt("kind"));
                    }
                    return null;
                  });
          return found[0] ? Optional.of(new JobSteps(steps, signals)) : Optional.empty();
        });
  }

  private record SignalRow(JobState state, boolean stored) {}

  public SignalResult signal(SignalRequest request) {
    List<SignalRow> rows =
        db.autoCommit(
            "signal",
            c ->
                SqlCall.on(c, sql.signalStore)
                    .bind("tenant", request.job().tenant())
                    .bind("id", request.job().id())
                    .bind("name", request.name())
                    .bind("payload", request.payload())
                    .bind("channel", channel)
                    .bind("notify", notify)
                    .query(
                        rs ->
                            new SignalRow(
                                JobStates.fromColumn(rs.getString("state")),
                                rs.getBoolean("stored"))));
    if (rows.isEmpty()) {
      return new SignalResult(SignalResult.Outcome.NOT_FOUND, null);
    }
    SignalRow row = rows.get(0);
    if (row.state() == JobState.SUCCEEDED || row.state() == JobState.CANCELLED) {
      return new SignalResult(SignalResult.Outcome.FINISHED, row.state());
    }
    return new SignalResult(
        row.stored() ? SignalResult.Outcome.STORED : SignalResult.Outcome.DUPLICATE, row.state());
  }

  public FencedResult suspend(SuspendRequest request) {
    UUID id = request.lease().jobId();
    String token = request.lease().token();
    boolean applied =
        db.inTransaction(
            "suspend",
            c -> {
              boolean locked =
                  !SqlCall.on(c, sql.suspendLock)
                      .bind("id", id)
                      .bind("token", token)
                      .bind("commitMode", commitMode)
                      .query(rs -> rs.getObject(1, UUID.class))
                      .isEmpty();
              if (!locked) {
                return false;
              }
              List<UUID> changed =
                  SqlCall.on(c, sql.suspendApply)
                      .bind("id", id)
                      .bind("token", token)
                      .bind("await", request.awaitSignal())
                      .bind("delayMillis", request.delay().toMillis())
                      .bind("channel", channel)
                      .bind("notify", notify)
                      .query(rs -> rs.getObject(1, UUID.class));
              if (changed.isEmpty()) {
                // The row is locked by this transaction with the token matched: cannot happen.
                throw new IllegalStateException(
                    "suspend_apply.sql changed no row of job " + id + " locked with its lease");
              }
              return true;
            });
    return applied
        ? new FencedResult(Set.of(id), Set.of())
        : new FencedResult(Set.of(), Set.of(id));
  }

  private static Set<String> textSet(Array array) throws SQLException {
    if (array == null) {
      return Set.of();
    }
    try {
      return Set.copyOf(Arrays.asList((String[]) array.getArray()));
    } finally {
      array.free();
    }
  }
}
