package dev.keel.queue.spi;

import dev.keel.queue.BackendUnavailableException;
import dev.keel.queue.IdempotencyConflictException;
import dev.keel.queue.Job;
import dev.keel.queue.JobPage;
import dev.keel.queue.JobQuery;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Storage for jobs: the one interface every backend (inline, postgres, redis) implements. The
 * conformance suite in {@code queue-testkit} is the executable form of this contract.
 *
 * <p>General rules for every method:
 *
 * <ul>
 *   <li>Requests arrive validated by core; backends do not re-check field rules.
 *   <li>All times (due, lease expiry, createdAt, startedAt, finishedAt, heartbeatAt) come from the
 *       backend's own clock, never from the caller's.
 *   <li>Each call is atomic: it applies completely or not at all. A failure to reach the backend or
 *       an error from it is thrown as {@link BackendUnavailableException}, with any secret in the
 *       message masked.
 *   <li>Every job is addressed within its tenant; nothing here returns or changes a job of another
 *       tenant.
 *   <li>Backends hold no engine logic: retry decisions, timeouts and scheduling policy are core's.
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface QueueBackend extends AutoCloseable {

  /** What this backend is and can do. Never throws. */
  BackendCapabilities capabilities();

  /**
   * Insert jobs atomically as PENDING, attempt 0, createdAt = backend now, runAt = {@link
   * NewJob#effectiveRunAt}.
   *
   * <p>Idempotency: for a job with a key, if a job of the same tenant holds that key (PENDING or
   * RUNNING under {@code whileActive}; also finished within the window under {@code window}), the
   * result names that job with {@code created = false} and nothing is inserted for it, provided the
   * payloads are equal; if they differ, the whole request fails with {@link
   * IdempotencyConflictException} and nothing of it is written. This holds under any concurrency:
   * any number of simultaneous enqueues of one (tenant, key) create exactly one job. Two jobs of
   * one request with the same key behave as two sequential enqueues.
   *
   * <p>Links (see {@link EnqueueRequest}): the same call also resolves what the request makes
   * decidable at once, as {@link #resolveBlocked} would: a new job whose dependencies already
   * ended, a new batch left without members by idempotency.
   *
   * @return one result per job, in request order
   */
  EnqueueResponse enqueue(EnqueueRequest request);

  /**
   * Claim up to {@code limit} PENDING jobs that are due (runAt ≤ backend now) and match the
   * request's filters, in order of priority (lower first), then runAt, then id. Each claimed job
   * becomes RUNNING with attempt + 1, startedAt = heartbeatAt = now, a fresh random lease token,
   * leaseOwner = workerId and leaseExpiresAt = now + leaseDuration. No job is ever returned to two
   * concurrent claims.
   */
  ClaimResponse claim(ClaimRequest request);

  /**
   * Extend each lease that is still held to backend now + leaseDuration and set heartbeatAt. Leases
   * no longer held (job rescued, cancelled, finished) are reported lost and nothing changes for
   * them. A job with a concurrency key whose lease has expired is reported lost too, even before a
   * rescue: its slot counts as free from the expiry on and may have been given to another job, so
   * the worker must learn that it lost the job instead of renewing the lease.
   */
  FencedResult heartbeat(HeartbeatRequest request);

  /** Apply each finish whose lease is still held; see {@link Finish} for each transition. */
  FencedResult finish(FinishRequest request);

  /** Store each progress whose lease is still held. */
  FencedResult progress(ProgressRequest request);

  /** Cancel a PENDING or RUNNING job. See {@link CancelRequest}. */
  ChangeResult cancel(CancelRequest request);

  /** Re-drive a FAILED job. See {@link RedriveRequest}. */
  ChangeResult redrive(RedriveRequest request);

  /** The job with this id in this tenant, if any. */
  Optional<Job> find(JobRef job);

  /** One page of a tenant's jobs; see {@link JobQuery} for order and filters. */
  JobPage list(JobQuery query);

  /** Figures for the health snapshot. Served from indexes/counters, not full scans of history. */
  BackendStats stats(StatsRequest request);

  /** Rescue RUNNING jobs whose lease expired. See {@link RescueRequest}. */
  RescueResult rescue(RescueRequest request);

  /** Delete finished jobs past retention, at most {@code limit}. See {@link PruneRequest}. */
  PruneResult prune(PruneRequest request);

  /**
   * Take or renew the maintenance lock so that rescue and prune run on one node at a time.
   *
   * @return true if {@code owner} holds the lock until backend now + ttl
   */
  boolean lockMaintenance(MaintenanceLockRequest request);

  /** Give the maintenance lock up if {@code owner} holds it. */
  void unlockMaintenance(String owner);

  /**
   * Give the lock {@code name} up if {@code owner} holds it; see {@link MaintenanceLockRequest} for
   * which names a backend keeps apart.
   */
  default void unlockMaintenance(String name, String owner) {
    if (!MaintenanceLockRequest.MAINTENANCE.equals(name)) {
      throw unsupportedOps("unlockMaintenance(name, owner)");
    }
    unlockMaintenance(owner);
  }

  /**
   * Call {@code listener} when jobs may have become claimable (enqueued, retried, released, made
   * due), and {@link WakeupListener#signalsMayHaveBeenMissed()} (or {@code jobsAvailable} for every
   * queue) each time the backend begins or resumes listening. Backends without signals return a
   * subscription that never calls.
   */
  Subscription subscribe(WakeupListener listener);

  /**
   * Round trip to the backend. Throws {@link BackendUnavailableException} if it does not answer.
   */
  PingResult ping();

  // ---- Recurring schedules ------------------------------------------------------------------
  // Backends that store schedules override all of these and say so in capabilities().schedules().
  // Times (nextFireAt, updatedAt) are compared and set on the backend's clock like everything else.

  /** Insert or update schedules; see {@link ScheduleUpsert}. Atomic for the whole request. */
  default ScheduleUpsertResult upsertSchedules(ScheduleUpsertRequest request) {
    throw unsupported("upsertSchedules");
  }

  /** Delete one schedule (its jobs stay). {@code changed} says whether it existed. */
  default ScheduleChangeResult removeSchedule(ScheduleRef schedule) {
    throw unsupported("removeSchedule");
  }

  /** Pause or resume one schedule; see {@link SchedulePauseRequest}. */
  default ScheduleChangeResult pauseSchedule(SchedulePauseRequest request) {
    throw unsupported("pauseSchedule");
  }

  /** The schedule with this name, with its last job's current state. */
  default Optional<StoredSchedule> findSchedule(ScheduleRef schedule) {
    throw unsupported("findSchedule");
  }

  /** One page of schedules in name order, each with its last job's current state. */
  default SchedulePage listSchedules(ScheduleListRequest request) {
    throw unsupported("listSchedules");
  }

  /** The due schedules and the next fire time after them; see {@link DueSchedulesRequest}. */
  default DueSchedules dueSchedules(DueSchedulesRequest request) {
    throw unsupported("dueSchedules");
  }

  /** Fire schedules, each atomically and fenced by its expected state; see {@link ScheduleFire}. */
  default ScheduleFireResult fireSchedules(ScheduleFireRequest request) {
    throw unsupported("fireSchedules");
  }

  // ---- Coordination: fenced locks -----------------------------------------------------------
  // Backends that enforce concurrency keys and keep fenced locks override these and say so in
  // capabilities().coordination(). Leases are measured on the backend's clock.

  /**
   * Take the lock {@code name} for {@code holder} if it is free or its lease expired, with a new
   * fencing token greater than every token this name was ever given; otherwise change nothing and
   * answer {@link LockResult#notHeld} with the current holder's expiry. A holder that already holds
   * the lock gets it renewed with its token unchanged.
   */
  default LockResult acquireLock(LockRequest request) {
    throw unsupportedCoordination("acquireLock");
  }

  /**
   * Extend the lease to backend now + {@code lease} if {@code holder} still holds the lock with
   * {@code token} and its lease has not expired; otherwise answer not held and change nothing (the
   * holder lost it).
   */
  default LockResult renewLock(LockRequest request) {
    throw unsupportedCoordination("renewLock");
  }

  /**
   * Free the lock if {@code holder} holds it with {@code token}; the token counter is kept, so the
   * next acquisition still gets a greater token.
   *
   * @return whether this call freed it (false: it was not held by this holder any more)
   */
  default boolean releaseLock(LockRequest request) {
    throw unsupportedCoordination("releaseLock");
  }

  // ---- Coordination: batches and dependencies -----------------------------------------------
  // Blocked jobs (dependencies, batch callbacks) are PENDING but never claimed until released.

  /** The batch, with its counts by state; empty if none in that tenant. */
  default Optional<StoredBatch> findBatch(BatchRef batch) {
    throw unsupportedCoordination("findBatch");
  }

  /**
   * Cancel every PENDING member of the batch (blocked or not), as {@link #cancel} would; running
   * members keep running. The batch is marked cancelled (the first time): from then on it takes no
   * new members, so a running member cannot add more. Callbacks are not touched here: core resolves
   * the batch afterwards.
   */
  default BatchCancelResult cancelBatch(BatchRef batch) {
    throw unsupportedCoordination("cancelBatch");
  }

  /**
   * Decide the blocked jobs waiting for {@code ended} jobs and the batches those belong to, each
   * atomically and at most once however many nodes call this at the same time:
   *
   * <ul>
   *   <li>a job with dependencies is released (claimable now) when all of them SUCCEEDED; when one
   *       is FAILED, CANCELLED or gone it becomes CANCELLED or FAILED as its {@link
   *       dev.keel.queue.JobLinks#onDependencyFailure()} says, with an error naming the dependency;
   *   <li>a batch without PENDING or RUNNING members becomes COMPLETED with its final counts; then
   *       its on-complete callback is released, and its on-success callback is released if every
   *       member SUCCEEDED, else CANCELLED.
   * </ul>
   *
   * Jobs ended by this call are resolved in turn (cascade), within the same call. Under {@code
   * sweep}, also finds decided dependencies and complete batches nobody resolved. Released jobs
   * wake workers like enqueued ones.
   */
  default ResolveResult resolveBlocked(ResolveRequest request) {
    throw unsupportedCoordination("resolveBlocked");
  }

  private UnsupportedOperationException unsupportedCoordination(String call) {
    return unsupportedFeature(
        call,
        "coordinate jobs (fenced locks, batches, dependencies)",
        "lock, batch and dependency calls and concurrency keys",
        "coordination");
  }

  // ---- Durable steps and signals --------------------------------------------------------------
  // Backends that store them override all of these and say so in capabilities().steps(). Step
  // records and signals belong to their job: they are deleted with it (prune) and never read from
  // another tenant.

  /**
   * Store step records on a RUNNING job, fenced by its lease; see {@link StepWriteRequest}. Answers
   * the job's stored control signals in the same call.
   */
  default StepWriteResult saveSteps(StepWriteRequest request) {
    throw unsupportedSteps("saveSteps");
  }

  /** The job's step records and signals; empty if no such job in that tenant. */
  default Optional<JobSteps> loadSteps(JobRef job) {
    throw unsupportedSteps("loadSteps");
  }

  /** Store a signal on a job and wake it if it waits for it; see {@link SignalRequest}. */
  default SignalResult signal(SignalRequest request) {
    throw unsupportedSteps("signal");
  }

  /**
   * Suspend a RUNNING job until a delay passes or a signal arrives; see {@link SuspendRequest}.
   *
   * @return applied or lost, as a finish
   */
  default FencedResult suspend(SuspendRequest request) {
    throw unsupportedSteps("suspend");
  }

  private UnsupportedOperationException unsupportedSteps(String call) {
    return unsupportedFeature(
        call, "store durable steps and signals", "step, signal and suspend calls", "steps");
  }

  // ---- Operations data: alerts and backlog samples ---------------------------------------------
  // Stored for the operations console (module ops). Backends that store them override all of these
  // and say so in capabilities().opsData(). Times are set on the backend's clock.

  /** Open an alert unless an active one exists for its rule and subject; see the request. */
  default AlertOpenResult openAlert(AlertOpenRequest request) {
    throw unsupportedOps("openAlert");
  }

  /** Compare-and-set an alert's state and body; see {@link AlertUpdateRequest}. */
  default AlertUpdateResult updateAlert(AlertUpdateRequest request) {
    throw unsupportedOps("updateAlert");
  }

  /** The alert with this id, if any. */
  default Optional<StoredAlert> findAlert(UUID id) {
    throw unsupportedOps("findAlert");
  }

  /** One page of alerts, newest first; see {@link AlertListRequest}. */
  default AlertPage listAlerts(AlertListRequest request) {
    throw unsupportedOps("listAlerts");
  }

  /** Delete old RESOLVED alerts; returns how many were deleted. */
  default long pruneAlerts(AlertPruneRequest request) {
    throw unsupportedOps("pruneAlerts");
  }

  /** Store one sample and drop the expired ones; returns the stored sample. */
  default StoredSample writeSample(SampleWriteRequest request) {
    throw unsupportedOps("writeSample");
  }

  /** Recent samples, oldest first; see {@link SampleListRequest}. */
  default List<StoredSample> samples(SampleListRequest request) {
    throw unsupportedOps("samples");
  }

  private UnsupportedOperationException unsupportedOps(String call) {
    return unsupportedFeature(call, "store operations data", "alert and sample calls", "opsData");
  }

  private UnsupportedOperationException unsupported(String call) {
    return unsupportedFeature(call, "store recurring schedules", "schedule calls", "schedules");
  }

  /** "the X backend does not {what} (QueueBackend.call is not implemented): ...". */
  private UnsupportedOperationException unsupportedFeature(
      String call, String what, String calls, String capability) {
    return new UnsupportedOperationException(
        "the "
            + capabilities().name()
            + " backend does not "
            + what
            + " (QueueBackend."
            + call
            + " is not implemented): use the inline, postgres or redis backend, or implement the "
            + calls
            + " and set BackendCapabilities."
            + capability);
  }

  /** Release connections and threads the backend owns. Idempotent. */
  @Override
  void close();
}
