package dev.keel.queue.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Every SQL statement the backend runs, read once from {@code dev/keel/queue/postgres/sql/*.sql}
 * with the schema substituted and compiled for JDBC.
 */
public final class Statements {
  private static final String SQL_DIR = "/dev/keel/queue/postgres/sql/";

  public final SqlStatement claim;
  public final SqlStatement enqueue;
  public final SqlStatement enqueueKeyless;
  public final SqlStatement findKeyHolders;
  public final SqlStatement heartbeat;
  public final SqlStatement progress;
  public final SqlStatement finishSucceed;
  public final SqlStatement finishFail;
  public final SqlStatement finishCancel;
  public final SqlStatement finishRetry;
  public final SqlStatement finishSnooze;
  public final SqlStatement finishRelease;
  public final SqlStatement deleteJobs;
  public final SqlStatement cancel;
  public final SqlStatement redrive;
  public final SqlStatement find;
  public final SqlStatement list;
  public final SqlStatement statsCounts;
  public final SqlStatement statsFigures;
  public final SqlStatement statsFinished;
  public final SqlStatement rescue;
  public final SqlStatement prune;
  public final SqlStatement staleStatistics;
  public final SqlStatement analyze;
  public final SqlStatement lockAcquire;
  public final SqlStatement lockRelease;
  public final SqlStatement fencedLockAcquire;
  public final SqlStatement fencedLockRenew;
  public final SqlStatement fencedLockRelease;
  public final SqlStatement scheduleLock;
  public final SqlStatement scheduleUpsert;
  public final SqlStatement scheduleRemove;
  public final SqlStatement schedulePause;
  public final SqlStatement scheduleFind;
  public final SqlStatement scheduleList;
  public final SqlStatement scheduleDue;
  public final SqlStatement scheduleFireLock;
  public final SqlStatement scheduleFireUpdate;
  public final SqlStatement alertOpen;
  public final SqlStatement alertFindActive;
  public final SqlStatement alertFind;
  public final SqlStatement alertUpdate;
  public final SqlStatement alertList;
  public final SqlStatement alertPrune;
  public final SqlStatement sampleWrite;
  public final SqlStatement sampleList;
  public final SqlStatement linkBatchesForShare;
  public final SqlStatement linkMarkDependencies;
  public final SqlStatement batchInsert;
  public final SqlStatement dependencyInsert;
  public final SqlStatement resolveBatchesOf;
  public final SqlStatement resolveDependents;
  public final SqlStatement resolveLockBlocked;
  public final SqlStatement resolveEvaluate;
  public final SqlStatement resolveRelease;
  public final SqlStatement resolveEnd;
  public final SqlStatement resolveDropEdges;
  public final SqlStatement batchActive;
  public final SqlStatement batchLock;
  public final SqlStatement batchCounts;
  public final SqlStatement batchComplete;
  public final SqlStatement batchFind;
  public final SqlStatement batchCancel;
  public final SqlStatement sweepDependencies;
  public final SqlStatement sweepBatches;
  public final SqlStatement batchPrune;
  public final SqlStatement batchMarkCancelled;
  public final SqlStatement resolveDropSatisfied;
  public final SqlStatement stepsSave;
  public final SqlStatement stepsLoad;
  public final SqlStatement signalStore;
  public final SqlStatement suspendLock;
  public final SqlStatement suspendApply;

  public Statements(SchemaName schema) {
    claim = load(schema, "claim_jobs");
    enqueue = load(schema, "enqueue_jobs");
    enqueueKeyless = load(schema, "enqueue_jobs_keyless");
    findKeyHolders = load(schema, "find_key_holders");
    heartbeat = load(schema, "heartbeat");
    progress = load(schema, "progress");
    finishSucceed = load(schema, "finish_succeed");
    finishFail = load(schema, "finish_fail");
    finishCancel = load(schema, "finish_cancel");
    finishRetry = load(schema, "finish_retry");
    finishSnooze = load(schema, "finish_snooze");
    finishRelease = load(schema, "finish_release");
    deleteJobs = load(schema, "delete_jobs");
    cancel = load(schema, "cancel_job");
    redrive = load(schema, "redrive_job");
    find = load(schema, "find_job");
    list = load(schema, "list_jobs");
    statsCounts = load(schema, "stats_counts");
    statsFigures = load(schema, "stats_figures");
    statsFinished = load(schema, "stats_finished");
    rescue = load(schema, "rescue_jobs");
    prune = load(schema, "prune_jobs");
    staleStatistics = load(schema, "stale_statistics");
    analyze = load(schema, "analyze_jobs");
    lockAcquire = load(schema, "lock_acquire");
    lockRelease = load(schema, "lock_release");
    fencedLockAcquire = load(schema, "fenced_lock_acquire");
    fencedLockRenew = load(schema, "fenced_lock_renew");
    fencedLockRelease = load(schema, "fenced_lock_release");
    scheduleLock = load(schema, "schedule_lock");
    scheduleUpsert = load(schema, "schedule_upsert");
    scheduleRemove = load(schema, "schedule_remove");
    schedulePause = load(schema, "schedule_pause");
    scheduleFind = load(schema, "schedule_find");
    scheduleList = load(schema, "schedule_list");
    scheduleDue = load(schema, "schedule_due");
    scheduleFireLock = load(schema, "schedule_fire_lock");
    scheduleFireUpdate = load(schema, "schedule_fire_update");
    alertOpen = load(schema, "alert_open");
    alertFindActive = load(schema, "alert_find_active");
    alertFind = load(schema, "alert_find");
    alertUpdate = load(schema, "alert_update");
    alertList = load(schema, "alert_list");
    alertPrune = load(schema, "alert_prune");
    sampleWrite = load(schema, "sample_write");
    sampleList = load(schema, "sample_list");
    linkBatchesForShare = load(schema, "link_batches_for_share");
    linkMarkDependencies = load(schema, "link_mark_dependencies");
    batchInsert = load(schema, "batch_insert");
    dependencyInsert = load(schema, "dependency_insert");
    resolveBatchesOf = load(schema, "resolve_batches_of");
    resolveDependents = load(schema, "resolve_dependents");
    resolveLockBlocked = load(schema, "resolve_lock_blocked");
    resolveEvaluate = load(schema, "resolve_evaluate");
    resolveRelease = load(schema, "resolve_release");
    resolveEnd = load(schema, "resolve_end");
    resolveDropEdges = load(schema, "resolve_drop_edges");
    batchActive = load(schema, "batch_active");
    batchLock = load(schema, "batch_lock");
    batchCounts = load(schema, "batch_counts");
    batchComplete = load(schema, "batch_complete");
    batchFind = load(schema, "batch_find");
    batchCancel = load(schema, "batch_cancel");
    sweepDependencies = load(schema, "sweep_dependencies");
    sweepBatches = load(schema, "sweep_batches");
    batchPrune = load(schema, "batch_prune");
    batchMarkCancelled = load(schema, "batch_mark_cancelled");
    resolveDropSatisfied = load(schema, "resolve_drop_satisfied");
    stepsSave = load(schema, "steps_save");
    stepsLoad = load(schema, "steps_load");
    signalStore = load(schema, "signal_store");
    suspendLock = load(schema, "suspend_lock");
    suspendApply = load(schema, "suspend_apply");
  }

  private static SqlStatement load(SchemaName schema, String name) {
    return load(Statements.class, SQL_DIR, "queue-postgres", schema, name);
  }

  /**
   * Reads {@code dir + name + ".sql"} (shipped with {@code owner} in the Keel jar {@code jar}),
   * substitutes {@code schema} and compiles it.
   */
  public static SqlStatement load(
      Class<?> owner, String dir, String jar, SchemaName schema, String name) {
    String file = name + ".sql";
    return SqlStatement.compile(file, substitute(readResource(owner, dir + file, jar), schema));
  }

  /**
   * What {@code ${worker_commit}} stands for in a worker statement's FROM list: a one-row subquery
   * that sets {@code synchronous_commit} for the statement's own transaction to {@code
   * :commitMode}, or leaves the session's setting when that is null (see {@code
   * PostgresBackend.Builder#asynchronousWorkerCommits}). Inside the statement, so it costs no extra
   * round trip.
   */
  static final String WORKER_COMMIT =
      "(SELECT set_config('synchronous_commit', coalesce(:commitMode::text,"
          + " current_setting('synchronous_commit')), true)) AS commit_mode";

  /**
   * Replaces {@code ${schema}} with the quoted, validated schema name and {@code ${worker_commit}}
   * with {@link #WORKER_COMMIT}.
   */
  public static String substitute(String sql, SchemaName schema) {
    return sql.replace("${schema}", schema.quoted()).replace("${worker_commit}", WORKER_COMMIT);
  }

  /** A UTF-8 resource of this jar; a missing one is a packaging bug. */
  public static String readResource(String path) {
    return readResource(Statements.class, path, "queue-postgres");
  }

  /**
   * A UTF-8 resource shipped with {@code owner} in the Keel jar {@code jar} (named in the error); a
   * missing one is a packaging bug. Read through {@code owner} so that it is found in owner's own
   * module when the jars are on the module path.
   */
  public static String readResource(Class<?> owner, String path, String jar) {
    try (InputStream in = owner.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path + " in the " + jar + " jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + path, e);
    }
  }
}
